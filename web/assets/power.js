// The time and power panel: device time paused, stepped and paced, the
// board reset, power-cycled, safe-booted or cut off at its next flash
// write, through /api/clock and /api/power (see the README).
"use strict";

function powerStatus(text, error = false) {
  status("power-status", text, error);
}

async function powerCall(method, path, body, done) {
  try {
    const answer = await call(method, path, {}, body);
    if (done) powerStatus(done(answer));
    return answer;
  } catch (e) {
    powerStatus(String(e.message || e), true);
    return null;
  }
}

// Shows a clock (a board's /api/state, or /api/fleet/clock) in the
// controls whose element ids `ids` names: time, pause button, state, speed.
function renderClock(ids, clock) {
  document.getElementById(ids.time).textContent = (clock.time_us / 1000).toFixed(3) + " ms";
  const pause = document.getElementById(ids.pause);
  pause.textContent = clock.paused ? "Run" : "Pause";
  pause.classList.toggle("active", clock.paused);
  document.getElementById(ids.state).textContent = clock.paused ? "paused" : { max: "as fast as possible", realtime: "real time", x10: "×10" }[clock.speed];
  const speed = document.getElementById(ids.speed);
  if (document.activeElement !== speed) speed.value = clock.speed;
}

let clockPaused = false;
function showClock(state) {
  clockPaused = state.paused;
  renderClock({ time: "clock-time", pause: "clock-pause", state: "clock-state", speed: "clock-speed" }, state);
  const cut = document.getElementById("power-cut");
  cut.classList.toggle("active", state.cut_armed);
  cut.textContent = state.cut_armed ? "Power cut armed (click to cancel)" : "Cut power at next flash write";
  cut.dataset.armed = state.cut_armed;
}

function setUpPower() {
  onState(showClock);
  document.getElementById("clock-pause").addEventListener("click", () =>
    powerCall("POST", "/clock", { paused: !clockPaused }, (c) => (c.paused ? "paused" : "running")));
  document.querySelectorAll(".clock-step").forEach((button) =>
    button.addEventListener("click", () =>
      powerCall("POST", "/clock/step", { ms: Number(button.dataset.ms) }, (s) =>
        `stepped to ${(s.time_us / 1000).toFixed(3)} ms` + (s.reached ? "" : " (not reached yet: the script computes)"))));
  document.getElementById("clock-speed").addEventListener("change", (e) =>
    powerCall("POST", "/clock", { speed: e.target.value }, (c) => "speed: " + c.speed));
  document.getElementById("power-reset").addEventListener("click", () =>
    powerCall("POST", "/power/reset", undefined, () => "reset"));
  document.getElementById("power-cycle").addEventListener("click", () =>
    powerCall("POST", "/power/cycle", undefined, () => "power cycled"));
  document.getElementById("power-safe-boot").addEventListener("click", () => {
    const hold = Number(document.getElementById("safe-boot-hold").value);
    powerCall("POST", "/power/safe-boot", { hold_ms: hold }, () => `safe boot, P12 held ${hold} ms`);
  });
  const cut = document.getElementById("power-cut");
  cut.addEventListener("click", () => cut.dataset.armed === "true"
    ? powerCall("DELETE", "/power/cut-at-next-write", undefined, () => "power cut cancelled")
    : powerCall("POST", "/power/cut-at-next-write", undefined, () => "the power fails at the next flash write"));
}

setUpPower();
