// The Settings panel: the config block as `pycom-emu config show` gives
// it, each setting `config set` knows editable with its checks (PUT
// /api/settings/NAME; a refused value is shown with config set's message and
// changes nothing), and the bootloader's boot_info, read only.
"use strict";

let settingNames = [];

function settingsStatus(text, error = false) {
  status("settings-status", text, error);
}

async function setSetting(name, value) {
  try {
    const settings = await call("PUT", "/settings/" + encodeURIComponent(name), {}, { value });
    settingsStatus(`${name} = ${JSON.stringify(settings[name])}`);
    showSettings(settings);
  } catch (e) {
    settingsStatus(`${name}: ${e.message || e}`, true);
    refreshSettings();
  }
}

function settingRow(name, value) {
  const tr = document.createElement("tr");
  tr.dataset.setting = name;
  const label = document.createElement("td");
  label.textContent = name;
  const cell = document.createElement("td");
  tr.append(label, cell);
  if (!settingNames.includes(name)) {
    cell.textContent = JSON.stringify(value);
    cell.className = "read-only";
    return tr;
  }
  if (typeof value === "boolean") {
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = value;
    box.className = "setting-value";
    box.addEventListener("change", () => setSetting(name, box.checked));
    cell.append(box);
    return tr;
  }
  const input = document.createElement("input");
  input.className = "setting-value";
  input.value = value === null ? "" : String(value);
  input.placeholder = value === null ? "None (erased)" : "";
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") setSetting(name, input.value); });
  const set = document.createElement("button");
  set.textContent = "set";
  set.className = "setting-set";
  set.addEventListener("click", () => setSetting(name, input.value));
  const erase = document.createElement("button");
  erase.textContent = "erase";
  erase.title = "config unset: back to erased flash";
  erase.addEventListener("click", () => setSetting(name, null));
  cell.append(input, set, erase);
  return tr;
}

function showSettings(settings) {
  const rows = Object.entries(settings).map(([name, value]) => settingRow(name, value));
  document.querySelector("#settings tbody").replaceChildren(...rows);
}

async function refreshSettings() {
  showSettings(await call("GET", "/settings"));
  const info = await call("GET", "/settings/boot_info");
  const rows = Object.entries(info).map(([name, value]) => {
    const tr = document.createElement("tr");
    const n = document.createElement("td");
    n.textContent = name;
    const v = document.createElement("td");
    v.textContent = typeof value === "string" ? value : JSON.stringify(value);
    tr.append(n, v);
    return tr;
  });
  document.querySelector("#boot-info tbody").replaceChildren(...rows);
}

async function setUpSettings() {
  const panel = document.getElementById("settings-panel");
  panel.querySelector("h2 small").textContent = "config block, as config set checks it";
  const statusLine = document.createElement("p");
  statusLine.id = "settings-status";
  statusLine.className = "status";
  const heading = document.createElement("h3");
  heading.textContent = "boot_info";
  const bootInfo = document.createElement("table");
  bootInfo.id = "boot-info";
  bootInfo.append(document.createElement("tbody"));
  panel.querySelector("#settings").before(statusLine);
  panel.append(heading, bootInfo);
  try {
    settingNames = await call("GET", "/settings/names");
    await refreshSettings();
  } catch (e) { settingsStatus(String(e.message || e), true); }
}
