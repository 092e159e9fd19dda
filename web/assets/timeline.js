// The Timeline panel: the LED's colour and the chosen pins' levels over
// device time (GET /api/timeline, the changes --trace-pins records), drawn
// as SVG. The view follows the board's time unless moved: the wheel zooms
// about the pointer, dragging pans, the buttons zoom in, out and to all.
// Pins are chosen by name, or by clicking their level on the drawing.
"use strict";

const TIMELINE_KEEP = 100000; // points kept per series, as the server keeps changes
const TIMELINE = { seq: 0, led: [], pins: {}, names: [], now: 0, span: 10e6, end: null, busy: false };
// Height of a row and width of the names column, px.
const TL_ROW = 26, TL_LABEL = 64;

// Adds points (in time order) to a series in time order; points may come
// a little earlier than the last kept (pins and LED report lazily).
function mergePoints(series, points) {
  if (!points.length) return series;
  const unordered = series.length && points[0][0] < series[series.length - 1][0];
  let out = series.concat(points);
  if (unordered) out.sort((a, b) => a[0] - b[0]);
  return out.length > TIMELINE_KEEP ? out.slice(out.length - TIMELINE_KEEP) : out;
}

// Index of the last point at or before time t (0 if none is).
function pointAt(series, t) {
  let lo = 0, hi = series.length - 1, found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (series[mid][0] <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

function tickStep(span) {
  const raw = span / 8;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
}

function timeLabel(t, step) {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step / 1e6))));
  return (t / 1e6).toFixed(decimals) + " s";
}

function drawTimeline() {
  const root = document.getElementById("timeline");
  const width = Math.max(300, root.clientWidth || 800);
  const names = TIMELINE.names.filter((n) => TIMELINE.pins[n]);
  const height = TL_ROW * (1 + names.length) + 24;
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  root.setAttribute("height", height);
  // Following a run younger than the window: from power-on.
  const end = TIMELINE.end === null ? Math.max(TIMELINE.now, TIMELINE.span) : TIMELINE.end;
  const start = end - TIMELINE.span;
  const plot = width - TL_LABEL - 8;
  const x = (t) => TL_LABEL + ((t - start) / TIMELINE.span) * plot;
  const nodes = [];
  const label = (text, row) => {
    const node = svg("text", { x: 4, y: row * TL_ROW + 17, class: "timeline-label" });
    node.textContent = text;
    nodes.push(node);
  };
  label("LED", 0);
  const led = TIMELINE.led;
  for (let i = led.length ? pointAt(led, start) : 0; i < led.length; i++) {
    const t0 = led[i][0], t1 = i + 1 < led.length ? led[i + 1][0] : TIMELINE.now;
    if (t0 >= end) break;
    if (t1 <= start) continue;
    const x0 = x(Math.max(t0, start)), x1 = x(Math.min(t1, end));
    if (x1 - x0 < 0.2) continue;
    const colour = led[i][1];
    nodes.push(svg("rect", { x: x0, y: 4, width: x1 - x0, height: TL_ROW - 8, class: "led-seg",
      "data-colour": colour, "data-from-us": t0, fill: colour === "#000000" ? "#20262d" : colour }));
  }
  names.forEach((name, n) => {
    const row = n + 1, top = row * TL_ROW;
    label(name, row);
    const series = TIMELINE.pins[name];
    if (!series.length) return;
    const y = (level) => top + (level === "high" ? 5 : level === "low" ? TL_ROW - 5 : TL_ROW / 2);
    let i = pointAt(series, start);
    let d = `M ${x(Math.max(series[i][0], start))} ${y(series[i][1])}`;
    for (i++; i < series.length && series[i][0] < end; i++) {
      d += ` H ${x(series[i][0])} V ${y(series[i][1])}`;
    }
    d += ` H ${x(Math.min(end, TIMELINE.now))}`;
    nodes.push(svg("path", { d, class: "pin-wave", "data-pin": name }));
  });
  const step = tickStep(TIMELINE.span);
  const axis = TL_ROW * (1 + names.length) + 14;
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
    nodes.push(svg("line", { x1: x(t), x2: x(t), y1: 0, y2: axis - 10, class: "timeline-grid" }));
    const tick = svg("text", { x: x(t), y: axis, "text-anchor": "middle", class: "timeline-tick" });
    tick.textContent = timeLabel(t, step);
    nodes.push(tick);
  }
  root.replaceChildren(...nodes);
  document.getElementById("timeline-follow").checked = TIMELINE.end === null;
  document.getElementById("timeline-span").textContent = "window " + timeLabel(TIMELINE.span, TIMELINE.span / 10);
}

async function pollTimeline() {
  if (TIMELINE.busy) return;
  TIMELINE.busy = true;
  try {
    const data = await call("GET", "/timeline", { after: TIMELINE.seq, pins: TIMELINE.names.join(",") });
    TIMELINE.seq = data.seq;
    TIMELINE.now = data.now_us;
    TIMELINE.led = mergePoints(TIMELINE.led, data.led);
    for (const [name, points] of Object.entries(data.pins)) {
      TIMELINE.pins[name] = mergePoints(TIMELINE.pins[name] || [], points);
    }
    status("timeline-status", "");
    drawTimeline();
  } catch (e) {
    status("timeline-status", String(e.message || e), true);
  } finally {
    TIMELINE.busy = false;
  }
}

function choosePins(text) {
  TIMELINE.names = text.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
  Object.assign(TIMELINE, { seq: 0, led: [], pins: {} });
  pollTimeline();
}

// Zooms by `factor` about the time under `at` (a fraction of the plot).
function zoomTimeline(factor, at = 1) {
  const end = TIMELINE.end === null ? TIMELINE.now : TIMELINE.end;
  const start = end - TIMELINE.span;
  const pivot = start + at * TIMELINE.span;
  const span = Math.min(1e13, Math.max(10, TIMELINE.span * factor));
  const newEnd = pivot + (1 - at) * span;
  TIMELINE.span = span;
  TIMELINE.end = newEnd >= TIMELINE.now ? null : newEnd;
  drawTimeline();
}

function setUpTimeline(info) {
  const panel = document.createElement("section");
  panel.id = "timeline-panel";
  panel.className = "panel";
  panel.innerHTML = `
    <h2>Timeline <small>LED and pins over device time (the last 100,000 changes)</small></h2>
    <div class="toolbar">
      <label>pins <input id="timeline-pins" placeholder="P9,P10" size="18"></label>
      <button id="timeline-zoom-in" title="zoom in (or the wheel)">+</button>
      <button id="timeline-zoom-out" title="zoom out">&minus;</button>
      <button id="timeline-all">all</button>
      <label><input type="checkbox" id="timeline-follow" checked> follow</label>
      <span id="timeline-span" class="status"></span>
    </div>
    <svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="100%" role="img" aria-label="timeline"></svg>
    <p id="timeline-status" class="status"></p>`;
  document.querySelector("main").append(panel);
  const pins = document.getElementById("timeline-pins");
  const wired = [...new Set(info.devices.flatMap((d) => d.pins))].slice(0, 4);
  pins.value = wired.join(",");
  pins.addEventListener("change", () => choosePins(pins.value));
  document.getElementById("timeline-zoom-in").addEventListener("click", () => zoomTimeline(0.5));
  document.getElementById("timeline-zoom-out").addEventListener("click", () => zoomTimeline(2));
  document.getElementById("timeline-all").addEventListener("click", () => {
    const first = [TIMELINE.led, ...Object.values(TIMELINE.pins)].filter((s) => s.length).map((s) => s[0][0]);
    TIMELINE.span = Math.max(1000, TIMELINE.now - Math.min(TIMELINE.now, ...first));
    TIMELINE.end = null;
    drawTimeline();
  });
  document.getElementById("timeline-follow").addEventListener("change", (e) => {
    TIMELINE.end = e.target.checked ? null : TIMELINE.now;
    drawTimeline();
  });
  const svgRoot = document.getElementById("timeline");
  const fraction = (e) => {
    const box = svgRoot.getBoundingClientRect();
    return Math.min(1, Math.max(0, (e.clientX - box.left - TL_LABEL) / (box.width - TL_LABEL - 8)));
  };
  svgRoot.addEventListener("wheel", (e) => {
    e.preventDefault();
    zoomTimeline(e.deltaY > 0 ? 1.25 : 0.8, fraction(e));
  }, { passive: false });
  let drag = null;
  svgRoot.addEventListener("mousedown", (e) => {
    drag = { x: e.clientX, end: TIMELINE.end === null ? TIMELINE.now : TIMELINE.end };
  });
  window.addEventListener("mouseup", () => { drag = null; });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    const box = svgRoot.getBoundingClientRect();
    const end = drag.end - ((e.clientX - drag.x) / (box.width - TL_LABEL - 8)) * TIMELINE.span;
    TIMELINE.end = end >= TIMELINE.now ? null : end;
    drawTimeline();
  });
  // A click on a pin's level on the drawing adds it to the timeline or takes it away.
  const byGpio = new Map(info.pins.map((p) => [p.gpio, p.module]));
  document.getElementById("board").addEventListener("click", (e) => {
    const match = /^pin-(\d+)$/.exec(e.target.id || "");
    const name = match && byGpio.get(Number(match[1]));
    if (!name) return;
    const names = TIMELINE.names.includes(name) ? TIMELINE.names.filter((n) => n !== name) : [...TIMELINE.names, name];
    pins.value = names.join(",");
    choosePins(pins.value);
  });
  choosePins(pins.value);
  setInterval(pollTimeline, 500);
}
