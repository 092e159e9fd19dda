// What tells the modules apart on the drawing: the name printed on the
// board, the antenna connectors (u.FL: Wi-Fi on all; LoRa/Sigfox on LoPy4,
// SiPy and FiPy; LTE on GPy and FiPy), the radio chips and the GPy's and
// FiPy's nano-SIM slot. Called by drawBoard (app.js) with the board's SVG.
"use strict";

const MODELS = {
  wipy2: { printed: "WiPy 2.0", accent: "#4aa3df", chips: [] },
  wipy3: { printed: "WiPy 3.0", accent: "#4aa3df", chips: [] },
  lopy4: { printed: "LoPy4", accent: "#5cc08a", chips: [["Semtech", "LoRa · Sigfox"]] },
  sipy: { printed: "SiPy", accent: "#b07fe0", chips: [["Sigfox", "transceiver"]] },
  gpy: { printed: "GPy", accent: "#f0a040", chips: [["Sequans", "LTE-M · NB-IoT"]] },
  fipy: { printed: "FiPy", accent: "#e8604c", chips: [["Semtech", "LoRa · Sigfox"], ["Sequans", "LTE-M · NB-IoT"]] },
};

// A u.FL antenna connector at (x, y) with its label.
function antenna(root, id, x, y, label, labelY) {
  const group = svg("g", { id: "antenna-" + id, class: "antenna" }, root);
  svg("circle", { cx: x, cy: y, r: 8, fill: "#d9b45a", stroke: "#7a5c14" }, group);
  svg("circle", { cx: x, cy: y, r: 3, fill: "#6b5320" }, group);
  const text = svg("text", { x, y: labelY, "text-anchor": "middle", class: "part-label" }, group);
  text.textContent = label;
}

function drawModel(root, info) {
  const model = MODELS[info.model] || { printed: info.name, accent: "#9aa5b1", chips: [] };
  const radios = new Set(info.radios || []);
  root.classList.add("model-" + info.model);
  const name = root.querySelector("#board-name");
  if (name) {
    name.textContent = model.printed;
    name.setAttribute("fill", model.accent);
  }
  // A band in the model's colour along the top edge.
  svg("rect", { x: 170, y: 44, width: 180, height: 4, rx: 2, fill: model.accent }, root);
  antenna(root, "wifi", 182, 60, "Wi-Fi", 84);
  if (radios.has("lora") || radios.has("sigfox")) {
    antenna(root, "lora", 338, 60, radios.has("lora") ? "LoRa/Sigfox" : "Sigfox", 84);
  }
  if (radios.has("lte")) antenna(root, "lte", 260, 624, "LTE", 613);
  model.chips.forEach(([chip, what], i) => {
    const y = 452 + i * 44;
    svg("rect", { x: 218, y, width: 84, height: 34, rx: 3, fill: "#2b3138", stroke: "#555e68" }, root);
    const top = svg("text", { x: 260, y: y + 14, "text-anchor": "middle", class: "part-label" }, root);
    top.textContent = chip;
    const bottom = svg("text", { x: 260, y: y + 27, "text-anchor": "middle", class: "part-label" }, root);
    bottom.textContent = what;
  });
  if (radios.has("lte")) {
    const slot = svg("g", { id: "sim-slot" }, root);
    svg("rect", { x: 222, y: 544, width: 76, height: 56, rx: 4, fill: "#c3c9cf", stroke: "#6d7680" }, slot);
    svg("rect", { x: 232, y: 554, width: 56, height: 36, rx: 3, fill: "#9aa3ac" }, slot);
    const text = svg("text", { x: 260, y: 576, "text-anchor": "middle", class: "part-label dark" }, slot);
    text.textContent = "nano-SIM";
  }
}
