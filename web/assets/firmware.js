// The firmware panel: the release that runs, the app slots and boot_info,
// an app image or bsdiff patch uploaded with a progress bar, then a reset
// into it, through /api/firmware (see the README).
"use strict";

function firmwareStatus(text, error = false) {
  status("firmware-status", text, error);
}

async function refreshFirmware() {
  let firmware;
  try { firmware = await call("GET", "/firmware"); } catch (e) { firmwareStatus(String(e.message || e), true); return; }
  document.getElementById("firmware-release").textContent = "runs " + firmware.release + " from " + firmware.running;
  const rows = firmware.slots.map((slot) => {
    const tr = document.createElement("tr");
    tr.dataset.slot = slot.slot;
    const holds = slot.valid ? `${slot.project || "app"} ${slot.version || ""}` : "no valid image";
    const state = [slot.running ? "running" : "", slot.active ? "boots" : "", slot.valid ? "" : "invalid"].filter(Boolean).join(", ");
    for (const text of [slot.slot, holds, state]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    tr.classList.toggle("invalid", !slot.valid);
    return tr;
  });
  document.querySelector("#firmware-slots tbody").replaceChildren(...rows);
  const info = firmware.boot_info;
  document.getElementById("firmware-boot-info").textContent =
    `boot_info: active ${info.active}, previous ${info.previous}, status ${info.status}` +
    (info.safe_boot ? ", safe boot" : "") + `, last update ${info.size} bytes`;
  const lastBoot = document.getElementById("last-boot");
  lastBoot.textContent = firmware.last_boot.length ? "bootloader: " + firmware.last_boot.join(" ") : "";
  lastBoot.classList.toggle("error", firmware.last_boot.some((m) => m.includes("Defaulting back") || m.includes("FAILED")));
  window.pycomFirmware = firmware;
}

// A PUT with the upload's progress on the bar (fetch cannot report it).
function uploadFirmware(file) {
  const bar = document.getElementById("firmware-progress");
  const reset = document.getElementById("firmware-reset");
  bar.max = file.size || 1;
  bar.value = 0;
  reset.hidden = true;
  firmwareStatus(`uploading ${file.name} (${file.size} bytes)`);
  const request = new XMLHttpRequest();
  request.open("PUT", api("/firmware"));
  request.upload.addEventListener("progress", (e) => { bar.value = e.loaded; });
  request.addEventListener("load", () => {
    let answer = {};
    try { answer = JSON.parse(request.responseText); } catch (e) { /* not JSON */ }
    if (request.status !== 200) {
      firmwareStatus(answer.error || request.statusText, true);
      return;
    }
    bar.value = bar.max;
    const warning = answer.verifies === false ? " This image does not verify: the bootloader will roll it back." : "";
    firmwareStatus(`wrote ${answer.written} bytes (${answer.kind}) to ${answer.slot}: ${answer.message}${warning}`, warning !== "");
    reset.hidden = false;
    refreshFirmware();
  });
  request.addEventListener("error", () => firmwareStatus("the upload failed", true));
  request.send(file);
}

function setUpFirmware() {
  const input = document.getElementById("firmware-file");
  input.addEventListener("change", () => {
    if (input.files.length) uploadFirmware(input.files[0]);
    input.value = "";
  });
  document.getElementById("firmware-reset").addEventListener("click", async () => {
    try {
      await call("POST", "/power/reset");
      firmwareStatus("reset: the bootloader checks the new image");
      document.getElementById("firmware-reset").hidden = true;
    } catch (e) { firmwareStatus(String(e.message || e), true); }
  });
  // Every boot may have changed what runs.
  let boots = null;
  onState((state) => {
    if (state.boots !== boots) {
      boots = state.boots;
      refreshFirmware();
    }
  });
  refreshFirmware();
}

setUpFirmware();
