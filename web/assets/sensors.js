// The board file's sensors (DHT11/22, DS18B20, analog sources, the Pysense,
// Pytrack or Pyscan shield): their values
// now, under the drawing and beside their device on it, editable while the
// script runs (PUT /api/sensors/INDEX/QUANTITY): the value holds from then
// on, so the script's next reading gets it.
"use strict";

function formatReading(r) {
  return (Math.round(r.value * 1000) / 1000) + " " + r.unit;
}

async function setReading(device, quantity, text) {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) {
    status("sensors-status", `${quantity}: not a number: ${text}`, true);
    return;
  }
  try {
    await call("PUT", `/sensors/${device}/${encodeURIComponent(quantity)}`, {}, { value });
    status("sensors-status", `device ${device} ${quantity} = ${value}`);
  } catch (e) { status("sensors-status", String(e.message || e), true); }
  refreshSensors();
}

// The values beside the device's box on the drawing.
function labelDevice(sensor) {
  const group = document.getElementById("device-" + sensor.device);
  const box = group && group.querySelector("rect");
  if (!box) return;
  let text = group.querySelector("text.reading");
  if (!text) {
    text = svg("text", { class: "reading", "text-anchor": "middle",
      x: Number(box.getAttribute("x")) + 35, y: Number(box.getAttribute("y")) + 36 }, group);
  }
  // A shield measures a dozen values: the table has them all.
  const shown = sensor.readings.slice(0, 2).map(formatReading);
  text.textContent = shown.join(" · ") + (sensor.readings.length > 2 ? " …" : "");
}

async function refreshSensors() {
  let sensors;
  try { sensors = await call("GET", "/sensors"); } catch (e) { return; }
  const table = document.getElementById("sensors");
  table.hidden = sensors.length === 0;
  const editing = document.activeElement && document.activeElement.classList.contains("sensor-value");
  if (!editing) {
    const rows = sensors.flatMap((sensor) => sensor.readings.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.device = sensor.device;
      tr.dataset.quantity = r.quantity;
      const cells = [sensor.kind + " on " + sensor.pin, r.quantity].map((text) => {
        const td = document.createElement("td");
        td.textContent = text;
        return td;
      });
      const valueCell = document.createElement("td");
      const input = document.createElement("input");
      input.className = "sensor-value";
      input.value = String(Math.round(r.value * 1000) / 1000);
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") setReading(sensor.device, r.quantity, input.value); });
      const unit = document.createElement("span");
      unit.textContent = " " + r.unit + " ";
      const set = document.createElement("button");
      set.textContent = "set";
      set.className = "sensor-set";
      set.addEventListener("click", () => setReading(sensor.device, r.quantity, input.value));
      valueCell.append(input, unit, set);
      tr.append(...cells, valueCell);
      return tr;
    }));
    table.querySelector("tbody").replaceChildren(...rows);
  }
  sensors.forEach(labelDevice);
}

function setUpSensors() {
  const section = document.createElement("div");
  section.innerHTML = `
    <table id="sensors" hidden><thead><tr><th>sensor</th><th>quantity</th><th>value now (set: from now on)</th></tr></thead>
      <tbody></tbody></table>
    <p id="sensors-status" class="status"></p>`;
  document.getElementById("board-panel").append(section);
  refreshSensors();
  setInterval(refreshSensors, 2000);
}
