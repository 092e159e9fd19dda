// The NVS panel's other namespaces (the firmware's own, a script's
// esp32.nvs ones): picked from a list; each key edited in its own type
// (integers in their range, text, a blob as a list of bytes) or erased.
"use strict";

async function showNamespace(name) {
  const body = document.querySelector("#nvs-other tbody");
  if (!name) { body.replaceChildren(); return; }
  let keys;
  try { keys = await call("GET", "/nvs", { namespace: name }); }
  catch (e) { status("nvs-status", String(e.message || e), true); return; }
  body.replaceChildren(...keys.map((k) => {
    const tr = document.createElement("tr");
    tr.dataset.key = k.key;
    for (const text of [k.key, k.type]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    const valueCell = document.createElement("td");
    const input = document.createElement("input");
    input.className = "nvs-other-value";
    input.value = typeof k.value === "string" ? k.value : JSON.stringify(k.value);
    const save = () => setInNamespace(name, k.key, namespaceValue(input.value, k.type));
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") save(); });
    valueCell.append(input);
    const actions = document.createElement("td");
    const saveButton = document.createElement("button");
    saveButton.textContent = "save";
    saveButton.addEventListener("click", save);
    const erase = document.createElement("button");
    erase.textContent = "erase";
    erase.addEventListener("click", async () => {
      try {
        await call("DELETE", "/nvs/" + encodeURIComponent(k.key), { namespace: name });
        status("nvs-status", `erased ${name}/${k.key}`);
      } catch (e) { status("nvs-status", String(e.message || e), true); }
      showNamespace(name);
    });
    actions.append(saveButton, erase);
    tr.append(valueCell, actions);
    return tr;
  }));
}

// The text of a field as a value of `type`: a number for the integer
// types (the server checks the range), text for a string, else JSON (a
// blob's list of bytes).
function namespaceValue(text, type) {
  if (/^[ui]\d+$/.test(type)) return Number(text.trim());
  if (type === "str") return text;
  try { return JSON.parse(text); } catch (e) { return text; }
}

async function setInNamespace(name, key, value) {
  try {
    const stored = await call("PUT", "/nvs/" + encodeURIComponent(key), { namespace: name }, { value });
    status("nvs-status", `${name}/${key} = ${JSON.stringify(stored.value)}`);
  } catch (e) { status("nvs-status", String(e.message || e), true); }
  showNamespace(name);
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
    <div class="toolbar"><label>Other namespaces
      <select id="nvs-namespace" aria-label="namespace"></select></label>
      <button type="button" id="nvs-namespaces-refresh">Refresh</button></div>
    <table id="nvs-other"><thead><tr><th>key</th><th>type</th><th>value</th><th></th></tr></thead><tbody></tbody></table>`;
  document.getElementById("nvs-panel").append(section);
  document.getElementById("nvs-namespace").addEventListener("change", (e) => showNamespace(e.target.value));
  document.getElementById("nvs-namespaces-refresh").addEventListener("click", refreshNamespaces);
  refreshNamespaces();
}
