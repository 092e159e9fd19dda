// A fleet's page: without ?board=NAME, the index of its boards (GET
// /api/boards, live through /api/fleet/events) and the fleet's one clock
// (/api/fleet/clock: pause, step, speed); with it, the board's own view
// (app.js, on /api/boards/NAME) and a picker of the other boards.
"use strict";

// The page's address for board `name` (the index for null), with the token.
function boardPage(name) {
  const query = new URLSearchParams();
  if (name) query.set("board", name);
  if (token) query.set("token", token);
  const text = query.toString();
  return "./" + (text ? "?" + text : "");
}

function fleetRow(board) {
  const tr = document.createElement("tr");
  tr.id = "fleet-" + board.name;
  const cells = ["name", "model", "time", "led", "boots"].map((kind) => {
    const td = document.createElement("td");
    td.className = "fleet-" + kind;
    tr.append(td);
    return td;
  });
  const link = document.createElement("a");
  link.href = boardPage(board.name);
  link.textContent = board.name;
  cells[0].append(link);
  cells[1].textContent = board.model_name;
  const led = document.createElement("span");
  led.className = "fleet-led";
  cells[3].append(led);
  return tr;
}

// Shows a board's summary in its row (made on first sight).
function showSummary(board) {
  let tr = document.getElementById("fleet-" + board.name);
  if (!tr) {
    tr = fleetRow(board);
    document.querySelector("#fleet tbody").append(tr);
  }
  tr.querySelector(".fleet-time").textContent = (board.time_us / 1e6).toFixed(1) + " s";
  const led = tr.querySelector(".fleet-led");
  led.dataset.led = board.led;
  led.style.background = board.led;
  led.style.setProperty("--led", board.led);
  led.classList.toggle("lit", board.led !== "#000000");
  led.title = board.led + (board.heartbeat ? " (heartbeat)" : "");
  tr.querySelector(".fleet-boots").textContent = board.boots;
}

// The fleet's clock as /api/fleet/clock gives it.
let fleetPaused = false;
function showFleetClock(clock) {
  fleetPaused = clock.paused;
  renderClock({ time: "fleet-clock-time", pause: "fleet-pause", state: "fleet-clock-state", speed: "fleet-speed" }, clock);
}

async function fleetClockCall(method, path, body) {
  try {
    const answer = await call(method, path, {}, body, "/api");
    if (path === "/fleet/clock") showFleetClock(answer);
    else status("fleet-status", `stepped to ${(answer.time_us / 1000).toFixed(3)} ms` + (answer.reached ? "" : " (not reached yet)"));
  } catch (e) { status("fleet-status", String(e.message || e), true); }
}

// Pause, step and speed of the fleet's one clock; its time shown twice a second.
function setUpFleetClock() {
  const refresh = () => call("GET", "/fleet/clock", {}, undefined, "/api").then(showFleetClock).catch(() => {});
  refresh();
  setInterval(refresh, 500);
  document.getElementById("fleet-pause").addEventListener("click", () =>
    fleetClockCall("POST", "/fleet/clock", { paused: !fleetPaused }));
  document.querySelectorAll(".fleet-step").forEach((button) =>
    button.addEventListener("click", () =>
      fleetClockCall("POST", "/fleet/clock/step", { ms: Number(button.dataset.ms) }).then(refresh)));
  document.getElementById("fleet-speed").addEventListener("change", (e) =>
    fleetClockCall("POST", "/fleet/clock", { speed: e.target.value }));
}

// The index of the fleet's boards; false if this server serves no fleet.
async function showFleet() {
  let boards;
  try {
    boards = await call("GET", "/boards", {}, undefined, "/api");
  } catch (e) {
    return false;
  }
  document.querySelector("main").style.display = "none";
  document.getElementById("fleet-panel").hidden = false;
  document.getElementById("model-name").textContent = "fleet of " + boards.length;
  document.getElementById("device-time").hidden = true;
  document.title = "pycom-emu fleet";
  boards.forEach(showSummary);
  setUpFleetClock();
  const events = new EventSource(api("/fleet/events", {}, "/api"));
  const link = document.getElementById("link");
  events.onopen = () => { link.textContent = "live"; link.className = "link-up"; };
  events.onerror = () => { link.textContent = "reconnecting"; link.className = "link-down"; };
  events.addEventListener("board", (e) => showSummary(JSON.parse(e.data)));
  window.pycomReady = true;
  return true;
}

// In a board's view: the way back to the index and to the other boards.
async function showBoardPicker() {
  const boards = await call("GET", "/boards", {}, undefined, "/api").catch(() => []);
  const picker = document.getElementById("board-picker");
  picker.replaceChildren(...boards.map((b) => new Option(b.name + " (" + b.model_name + ")", b.name, false, b.name === boardName)));
  picker.addEventListener("change", () => { location.href = boardPage(picker.value); });
  document.getElementById("fleet-index").href = boardPage(null);
  document.getElementById("fleet-nav").hidden = false;
}
