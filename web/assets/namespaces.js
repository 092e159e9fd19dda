// The NVS panel's other namespaces (the firmware's own, a script's
// esp32.nvs ones): picked from a list and shown read only.
"use strict";

async function showNamespace(name) {
  const body = document.querySelector("#nvs-other tbody");
  if (!name) { body.replaceChildren(); return; }
  let keys;
  try { keys = await call("GET", "/nvs", { namespace: name }); }
  catch (e) { status("nvs-status", String(e.message || e), true); return; }
  body.replaceChildren(...keys.map((k) => {
    const tr = document.createElement("tr");
    for (const text of [k.key, k.type, typeof k.value === "string" ? k.value : JSON.stringify(k.value)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
}

async function refreshNamespaces() {
  const picker = document.getElementById("nvs-namespace");
  const chosen = picker.value;
  let names = [];
  try { names = (await call("GET", "/nvs/namespaces")).filter((n) => n !== "PY_NVM"); } catch (e) { /* NVS not mounted */ }
  const none = document.createElement("option");
  none.value = "";
  none.textContent = names.length ? "(pick one)" : "(none stored)";
  picker.replaceChildren(none, ...names.map((n) => {
    const option = document.createElement("option");
    option.value = option.textContent = n;
    return option;
  }));
  picker.value = names.includes(chosen) ? chosen : "";
  showNamespace(picker.value);
}

function setUpNamespaces() {
  const section = document.createElement("div");
  section.id = "nvs-namespaces";
  section.innerHTML = `
    <div class="toolbar"><label>Other namespaces (read only)
      <select id="nvs-namespace" aria-label="namespace"></select></label>
      <button type="button" id="nvs-namespaces-refresh">Refresh</button></div>
    <table id="nvs-other"><thead><tr><th>key</th><th>type</th><th>value</th></tr></thead><tbody></tbody></table>`;
  document.getElementById("nvs-panel").append(section);
  document.getElementById("nvs-namespace").addEventListener("change", (e) => showNamespace(e.target.value));
  document.getElementById("nvs-namespaces-refresh").addEventListener("click", refreshNamespaces);
  refreshNamespaces();
}
