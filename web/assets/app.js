// The web view of a pycom-emu board: everything goes through the JSON API
// under /api (documented in the README) and its Server-Sent Events.
"use strict";

const token = new URLSearchParams(location.search).get("token");
// The fleet's board the page shows (?board=NAME), if it shows one.
const boardName = new URLSearchParams(location.search).get("board");

// An API address with the token, when the page was opened with one; a
// fleet's board has its API under /api/boards/NAME (fleet.js).
function api(path, params = {}, base = boardName ? "/api/boards/" + encodeURIComponent(boardName) : "/api") {
  const query = new URLSearchParams(params);
  if (token) query.set("token", token);
  const text = query.toString();
  return base + path + (text ? "?" + text : "");
}

async function call(method, path, params, body, base) {
  const options = { method };
  if (body !== undefined) {
    options.body = body instanceof Blob || typeof body === "string" ? body : JSON.stringify(body);
    if (!(body instanceof Blob) && typeof body !== "string") options.headers = { "Content-Type": "application/json" };
  }
  const response = await fetch(api(path, params, base), options);
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw Object.assign(new Error((data && data.error) || response.statusText), { status: response.status });
  return data;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

// What the page saw and when (wall time in ms), for latency measurements:
// LED colours, and how far the console's text had come.
window.pycomLog = [];
let consoleSeen = "";
function logEvent(kind, value) {
  window.pycomLog.push({ t: performance.timeOrigin + performance.now(), kind, value });
  if (window.pycomLog.length > 5000) window.pycomLog.splice(0, 1000);
}
function logConsole(text) {
  if (consoleSeen.length > 1 << 20) consoleSeen = "";
  consoleSeen += text;
  logEvent("console", consoleSeen.length);
}
// When the console had shown `text` in full (its first appearance), or null.
window.pycomSaidAt = (text) => {
  const at = consoleSeen.indexOf(text);
  if (at < 0) return null;
  const seen = window.pycomLog.find((e) => e.kind === "console" && e.value >= at + text.length);
  return seen ? seen.t : null;
};

// ------------------------------------------------------------------ board

// The module's header, as printed on the boards: left and right columns.
const LEFT = ["RST", "P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P10", "P11", "P12"];
const RIGHT = ["VIN", "3V3", "GND", "P23", "P22", "P21", "P20", "P19", "P18", "P17", "P16", "P15", "P14", "P13"];
const ROW0 = 110, ROW = 38;

function drawBoard(info) {
  const root = svg("svg", { viewBox: "-60 0 640 680", id: "board-drawing", role: "img", "aria-label": info.name });
  const defs = svg("defs", {}, root);
  const glow = svg("filter", { id: "glow", x: "-100%", y: "-100%", width: "300%", height: "300%" }, defs);
  svg("feGaussianBlur", { stdDeviation: "7" }, glow);
  svg("rect", { x: 160, y: 40, width: 200, height: 600, rx: 12, fill: "#1b1f24", stroke: "#000" }, root);
  const name = svg("text", { id: "board-name", x: 260, y: 72, "text-anchor": "middle", fill: "#e9edf1", "font-size": 20, "font-weight": "bold" }, root);
  name.textContent = info.name;
  svg("circle", { id: "led-glow", cx: 260, cy: 130, r: 22, fill: "#000", filter: "url(#glow)", opacity: 0 }, root);
  svg("rect", { x: 244, y: 114, width: 32, height: 32, rx: 4, fill: "#f4f4f4" }, root);
  svg("circle", { id: "led", cx: 260, cy: 130, r: 12, fill: "#000000", stroke: "#888" }, root);
  const ledLabel = svg("text", { x: 260, y: 166, "text-anchor": "middle", class: "pin-g" }, root);
  ledLabel.textContent = "RGB LED";
  svg("rect", { x: 190, y: 250, width: 140, height: 190, rx: 4, fill: "#b9c0c7", stroke: "#7d868f" }, root);
  const chip = svg("text", { x: 260, y: 350, "text-anchor": "middle", fill: "#3b434c", "font-size": 14 }, root);
  chip.textContent = "ESP32";

  const byModule = new Map(info.pins.map((p) => [p.module, p]));
  const rows = new Map();
  const place = (names, side) =>
    names.forEach((module, i) => {
      const y = ROW0 + i * ROW;
      rows.set(module, { y, side });
      drawPin(root, byModule.get(module), module, y, side);
    });
  place(LEFT, "left");
  place(RIGHT, "right");
  info.devices.forEach((device) => {
    const row = rows.get(device.pins[0]);
    if (row) drawDevice(root, device, row);
  });
  drawModel(root, info);
  document.getElementById("board").replaceChildren(root);
}

function drawPin(root, pin, module, y, side) {
  const left = side === "left";
  const edge = left ? 160 : 360;
  svg("rect", { x: edge - 8, y: y - 7, width: 16, height: 14, rx: 2, fill: "#d4a53c" }, root);
  const label = svg("text", { x: left ? edge + 14 : edge - 14, y: y + 4, "text-anchor": left ? "start" : "end", class: "pin-label" }, root);
  label.textContent = module;
  if (!pin) return; // power and reset pins
  const g = svg("text", { x: left ? edge - 14 : edge + 14, y: y + 4, "text-anchor": left ? "end" : "start", class: "pin-g" }, root);
  g.textContent = pin.expansion;
  svg("circle", { id: "pin-" + pin.gpio, cx: left ? 118 : 402, cy: y, r: 6, class: "level-floating" }, root);
  const mode = svg("text", { id: "mode-" + pin.gpio, x: left ? 106 : 414, y: y + 3, "text-anchor": left ? "end" : "start", class: "pin-mode" }, root);
  mode.textContent = "";
}

function drawDevice(root, device, row) {
  const left = row.side === "left";
  const x = left ? -55 : 465;
  const group = svg("g", { class: "device", id: "device-" + device.index }, root);
  svg("line", { x1: left ? 15 : 465, y1: row.y, x2: left ? 62 : 458, y2: row.y, stroke: "#c08a1a" }, group);
  if (device.pressable) {
    group.classList.add("device-button");
    svg("rect", { x, y: row.y - 15, width: 70, height: 30, rx: 4 }, group);
    svg("circle", { class: "cap", cx: x + 18, cy: row.y, r: 10 }, group);
    const t = svg("text", { x: x + 32, y: row.y + 4 }, group);
    t.textContent = "button";
    holdToPress(group, device.index);
  } else {
    svg("rect", { x, y: row.y - 12, width: 70, height: 24, rx: 4 }, group);
    const t = svg("text", { x: x + 35, y: row.y + 4, "text-anchor": "middle" }, group);
    t.textContent = device.kind;
  }
}

// A button device: pressed while the mouse is down on it. Presses and
// releases go out one after the other, so a quick click ends released.
function holdToPress(node, index) {
  let down = false, sent = Promise.resolve();
  const set = (pressed) => {
    if (down === pressed) return;
    down = pressed;
    node.classList.toggle("pressed", pressed);
    sent = sent.then(() => call("POST", `/devices/${index}/press`, {}, { pressed })).catch(showError);
  };
  node.addEventListener("mousedown", (e) => { e.preventDefault(); set(true); });
  node.addEventListener("mouseup", () => set(false));
  node.addEventListener("mouseleave", () => set(false));
  node.addEventListener("touchstart", (e) => { e.preventDefault(); set(true); });
  node.addEventListener("touchend", () => set(false));
}

// What the other scripts' panels do with each live state.
const stateListeners = [];
function onState(listener) {
  stateListeners.push(listener);
}

let lastLed = null;
function showState(state) {
  for (const listener of stateListeners) listener(state);
  document.getElementById("device-time").textContent = "t = " + (state.time_us / 1e6).toFixed(1) + " s";
  if (state.led !== lastLed) {
    lastLed = state.led;
    logEvent("led", state.led);
    const led = document.getElementById("led");
    if (led) {
      led.setAttribute("fill", state.led);
      const glow = document.getElementById("led-glow");
      glow.setAttribute("fill", state.led);
      glow.setAttribute("opacity", state.led === "#000000" ? 0 : 0.9);
    }
  }
  for (const pin of state.pins) {
    const dot = document.getElementById("pin-" + pin.gpio);
    if (!dot) continue;
    dot.setAttribute("class", "level-" + pin.level);
    const mode = { in: "in", out: "out", open_drain: "od" }[pin.mode] + (pin.pull ? " " + pin.pull : "");
    document.getElementById("mode-" + pin.gpio).textContent = mode;
  }
}

// ---------------------------------------------------------------- console

// A small terminal: what MicroPython's REPL sends (CR, LF, backspace,
// cursor left/right, erase to end of line).
const term = { lines: [""], row: 0, col: 0, pending: "" };

function termWrite(text) {
  text = term.pending + text;
  term.pending = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\x1b") {
      const m = /^\x1b\[(\d*)([A-Za-z])/.exec(text.slice(i));
      if (!m) {
        if (text.length - i < 8) { term.pending = text.slice(i); break; }
        continue;
      }
      const n = m[1] === "" ? 1 : parseInt(m[1], 10);
      if (m[2] === "D") term.col = Math.max(0, term.col - n);
      else if (m[2] === "C") term.col += n;
      else if (m[2] === "K") term.lines[term.row] = term.lines[term.row].slice(0, term.col);
      i += m[0].length - 1;
    } else if (c === "\r") {
      term.col = 0;
    } else if (c === "\n") {
      term.row++;
      if (term.row >= term.lines.length) term.lines.push("");
      term.col = 0;
    } else if (c === "\b") {
      term.col = Math.max(0, term.col - 1);
    } else if (c >= " " || c === "\t") {
      const line = term.lines[term.row].padEnd(term.col);
      term.lines[term.row] = line.slice(0, term.col) + c + line.slice(term.col + 1);
      term.col++;
    }
  }
  if (term.lines.length > 2000) {
    const cut = term.lines.length - 2000;
    term.lines.splice(0, cut);
    term.row -= cut;
  }
  scheduleRender();
}

// The console is drawn at most every 25 ms, however fast output comes, so a
// chatty script does not keep the page redrawing its whole text.
let renderTimer = null;
function scheduleRender() {
  if (renderTimer === null) renderTimer = setTimeout(renderConsole, 25);
}

function renderConsole() {
  clearTimeout(renderTimer);
  renderTimer = null;
  const pre = document.getElementById("console");
  const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  const before = term.lines.slice(0, term.row).join("\n");
  const line = term.lines[term.row].padEnd(term.col + 1);
  const cursor = document.createElement("span");
  cursor.className = "cursor";
  cursor.textContent = line[term.col];
  pre.replaceChildren(
    (before ? before + "\n" : "") + line.slice(0, term.col),
    cursor,
    line.slice(term.col + 1) + (term.row + 1 < term.lines.length ? "\n" + term.lines.slice(term.row + 1).join("\n") : ""),
  );
  if (atEnd) pre.scrollTop = pre.scrollHeight;
}

// Keys go out in order, a batch per request.
let outgoing = "", sending = false;
function sendKeys(text) {
  outgoing += text;
  if (!sending) flushKeys();
}
async function flushKeys() {
  sending = true;
  while (outgoing) {
    const batch = outgoing;
    outgoing = "";
    try { await call("POST", "/console", {}, batch); } catch (e) { showError(e); }
  }
  sending = false;
}

const KEYS = { Enter: "\r", Backspace: "\x7f", Tab: "\t", Escape: "\x1b", Delete: "\x1b[3~",
  ArrowUp: "\x1b[A", ArrowDown: "\x1b[B", ArrowRight: "\x1b[C", ArrowLeft: "\x1b[D", Home: "\x1b[H", End: "\x1b[F" };

function setUpConsole(info) {
  const box = document.getElementById("console-box");
  const input = document.getElementById("console-input");
  if (!info.console_input) {
    input.disabled = true;
    box.title = "this board's console shows output only";
    return;
  }
  if (!info.repl) {
    // run --web: the keys reach the script (input(), sys.stdin); no REPL follows main.py.
    document.querySelector("#console-panel h2 small").textContent = "keys reach the script: input(), Ctrl-C interrupts";
  }
  box.addEventListener("click", () => input.focus());
  input.addEventListener("focus", () => box.classList.add("focused"));
  input.addEventListener("blur", () => box.classList.remove("focused"));
  input.addEventListener("keydown", (e) => {
    let text = null;
    if (e.ctrlKey && !e.altKey && e.key.length === 1 && /[a-z\]\\]/i.test(e.key)) {
      if (e.key.toLowerCase() === "v") return; // paste
      text = String.fromCharCode(e.key.toUpperCase().charCodeAt(0) & 0x1f);
    } else if (KEYS[e.key]) {
      text = KEYS[e.key];
    } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey) {
      text = e.key;
    }
    if (text !== null) {
      e.preventDefault();
      sendKeys(text);
    }
  });
  input.addEventListener("paste", (e) => {
    e.preventDefault();
    sendKeys(e.clipboardData.getData("text").replace(/\r?\n/g, "\r"));
  });
}

// ------------------------------------------------------------------ files

let filesTarget = "/flash";
function setTarget(path) {
  filesTarget = path;
  document.getElementById("files-target").textContent = path;
  document.querySelectorAll(".entry.dir").forEach((e) => e.classList.toggle("target", e.dataset.path === path));
}

function status(id, text, error = false) {
  const node = document.getElementById(id);
  node.textContent = text;
  node.classList.toggle("error", error);
}

function showError(e) {
  status("files-status", String(e.message || e), true);
}

async function listInto(ul, dir) {
  const entries = await call("GET", "/files", { path: dir });
  entries.sort((a, b) => (b.dir - a.dir) || a.name.localeCompare(b.name));
  ul.replaceChildren(...entries.map((e) => entryNode(dir === "/" ? "/" + e.name : dir + "/" + e.name, e)));
}

function entryNode(path, entry) {
  const li = document.createElement("li");
  const row = document.createElement("div");
  row.className = "entry " + (entry.dir ? "dir" : "file");
  row.dataset.path = path;
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = path.split("/").pop();
  row.append(name);
  if (entry.dir) {
    const children = document.createElement("ul");
    children.hidden = true;
    name.addEventListener("click", async () => {
      setTarget(path);
      const open = row.classList.toggle("open");
      children.hidden = !open;
      if (open) await listInto(children, path).catch(showError);
    });
    li.append(row, children);
  } else {
    const size = document.createElement("span");
    size.className = "size";
    size.textContent = entry.size + " B";
    const link = document.createElement("a");
    link.href = api("/files/content", { path });
    link.download = name.textContent;
    link.textContent = "download";
    row.append(size, link, editButton(path));
    li.append(row);
  }
  const del = document.createElement("button");
  del.textContent = "delete";
  del.className = "delete";
  del.addEventListener("click", async () => {
    if (!confirm("Delete " + path + "?")) return;
    try {
      await call("DELETE", "/files", { path });
      status("files-status", "deleted " + path);
      refreshFiles();
    } catch (e) { showError(e); }
  });
  row.append(del);
  return li;
}

async function refreshFiles() {
  const root = document.createElement("div");
  root.className = "tree";
  const ul = document.createElement("ul");
  // /flash, and /sd while a script has the card mounted.
  const sdMounted = await call("GET", "/files", { path: "/sd" }).then(() => true, () => false);
  for (const volume of sdMounted ? ["/flash", "/sd"] : ["/flash"]) {
    const node = entryNode(volume, { dir: true });
    node.querySelector(".delete").remove();
    ul.append(node);
  }
  root.append(ul);
  document.getElementById("files").replaceChildren(root);
  // Open the folders that lead to the target again.
  const parts = filesTarget.split("/").filter(Boolean);
  let path = "";
  for (const part of parts) {
    path += "/" + part;
    const row = root.querySelector(`.entry.dir[data-path="${CSS.escape(path)}"]`);
    if (!row) break;
    row.classList.add("open");
    const children = row.parentElement.querySelector("ul");
    children.hidden = false;
    await listInto(children, path).catch(showError);
  }
  setTarget(root.querySelector(`.entry.dir[data-path="${CSS.escape(filesTarget)}"]`) ? filesTarget : "/flash");
}

async function upload(files) {
  for (const file of files) {
    const path = filesTarget + "/" + file.name;
    try {
      await call("PUT", "/files/content", { path }, file);
      status("files-status", `uploaded ${path} (${file.size} bytes)`);
    } catch (e) { showError(e); }
  }
  refreshFiles();
}

function setUpFiles() {
  document.getElementById("upload").addEventListener("change", (e) => upload([...e.target.files]));
  document.getElementById("files-refresh").addEventListener("click", refreshFiles);
  document.getElementById("mkdir").addEventListener("click", async () => {
    const name = prompt("New folder in " + filesTarget);
    if (!name) return;
    try {
      await call("POST", "/files/mkdir", { path: filesTarget + "/" + name });
      status("files-status", "created " + filesTarget + "/" + name);
      refreshFiles();
    } catch (e) { showError(e); }
  });
  const zone = document.getElementById("files");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("dragging"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    upload([...e.dataTransfer.files]);
  });
  refreshFiles();
}

// -------------------------------------------------------------------- NVS

// What a typed value is stored as: an integer if it reads as one, else text.
function nvsValue(text, type) {
  if (type !== "str" && /^-?\d+$/.test(text.trim())) return parseInt(text, 10);
  return text;
}

async function setNvs(key, value) {
  try {
    const stored = await call("PUT", "/nvs/" + encodeURIComponent(key), {}, { value });
    status("nvs-status", `${key} = ${JSON.stringify(stored.value)}`);
  } catch (e) { status("nvs-status", String(e.message || e), true); }
  refreshNvs();
}

async function refreshNvs() {
  let keys;
  try { keys = await call("GET", "/nvs"); } catch (e) { status("nvs-status", String(e.message || e), true); return; }
  const rows = keys.map((k) => {
    const tr = document.createElement("tr");
    tr.dataset.key = k.key;
    const key = document.createElement("td");
    key.textContent = k.key;
    const type = document.createElement("td");
    type.textContent = k.type;
    const valueCell = document.createElement("td");
    const input = document.createElement("input");
    input.className = "nvs-value";
    input.value = typeof k.value === "string" ? k.value : JSON.stringify(k.value);
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") setNvs(k.key, nvsValue(input.value, k.type)); });
    valueCell.append(input);
    const actions = document.createElement("td");
    const save = document.createElement("button");
    save.textContent = "save";
    save.className = "nvs-save";
    save.addEventListener("click", () => setNvs(k.key, nvsValue(input.value, k.type)));
    const erase = document.createElement("button");
    erase.textContent = "erase";
    erase.addEventListener("click", async () => {
      try { await call("DELETE", "/nvs/" + encodeURIComponent(k.key)); status("nvs-status", "erased " + k.key); }
      catch (e) { status("nvs-status", String(e.message || e), true); }
      refreshNvs();
    });
    actions.append(save, erase);
    tr.append(key, type, valueCell, actions);
    return tr;
  });
  document.querySelector("#nvs tbody").replaceChildren(...rows);
}

function setUpNvs() {
  document.getElementById("nvs-refresh").addEventListener("click", refreshNvs);
  document.getElementById("nvs-add").addEventListener("submit", (e) => {
    e.preventDefault();
    const key = document.getElementById("nvs-new-key");
    const value = document.getElementById("nvs-new-value");
    setNvs(key.value, nvsValue(value.value, null));
    key.value = value.value = "";
  });
  refreshNvs();
}

// ------------------------------------------------------------------- live

function connect() {
  const events = new EventSource(api("/events"));
  const link = document.getElementById("link");
  events.onopen = () => { link.textContent = "live"; link.className = "link-up"; };
  events.onerror = () => { link.textContent = "reconnecting"; link.className = "link-down"; };
  events.addEventListener("state", (e) => showState(JSON.parse(e.data)));
  events.addEventListener("console", (e) => {
    const text = JSON.parse(e.data);
    logConsole(text);
    termWrite(text);
  });
  events.addEventListener("lost", (e) => termWrite(`\r\n[web view: ${e.data} pieces of output lost]\r\n`));
  // A reconnection replays the scrollback: start the terminal afresh.
  events.addEventListener("open", () => { term.lines = [""]; term.row = 0; term.col = 0; renderConsole(); });
}

async function start() {
  let info;
  try {
    info = await call("GET", "/board");
  } catch (e) {
    // A fleet's page opened without a board: the index of its boards.
    if (e.status === 404 && !boardName && (await showFleet())) return;
    document.getElementById("link").textContent = "refused: " + e.message;
    return;
  }
  document.getElementById("model-name").textContent = (boardName ? boardName + " \u00b7 " : "") + info.name;
  document.title = "pycom-emu " + (boardName || info.name);
  if (boardName) showBoardPicker();
  drawBoard(info);
  setUpConsole(info);
  renderConsole();
  connect();
  setUpFiles();
  setUpNvs();
  setUpNamespaces();
  setUpSettings();
  setUpSensors();
  setUpTimeline(info);
  setUpEditor(info);
  window.pycomReady = true;
}

start();
