// Metrics: reads the server's Prometheus text at GET /metrics every 2 s and draws, with SVG,
// the rate of every counter (requests/s, consumed capacity, throttles, per label set) and the
// p99 of every histogram (latency) over the last minutes. Without /metrics it says so.
import { h, fill, errorBox } from "./ui.js";

const POLL_MS = 2000;
const KEEP = 90;

/** Prometheus text exposition format to {types: {family: type}, samples: [{name, labels, value}]}. */
export function parsePrometheus(text) {
  const types = {};
  const samples = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (trimmed.startsWith("#")) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(trimmed);
      if (m) types[m[1]] = m[2];
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(trimmed);
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return { types, samples };
}

const labelText = (labels, skip = []) =>
  Object.entries(labels)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/** An SVG line chart of series [{label, points: [[t, v]]}]. */
function chart(title, unit, series) {
  const rows = Math.min(series.length, 6);
  const W = 360, B = 18 + rows * 11, H = 130 + rows * 11, L = 44;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", title);
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  const all = series.flatMap((s) => s.points);
  const t0 = Math.min(...all.map((p) => p[0]));
  const t1 = Math.max(...all.map((p) => p[0]), t0 + 1);
  const vmax = Math.max(...all.map((p) => p[1]), 1e-9);
  const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - 6);
  const y = (v) => H - B - (v / vmax) * (H - B - 16);
  el("text", { x: L, y: 11 }, title);
  el("line", { x1: L, y1: H - B, x2: W - 6, y2: H - B, stroke: "#d5dbe1" });
  el("text", { x: 2, y: y(vmax) + 4 }, `${+vmax.toPrecision(3)}${unit}`);
  el("text", { x: 2, y: H - B }, `0${unit}`);
  el("text", { x: L, y: H - B + 11 }, `last ${Math.round((t1 - t0) / 1000)} s`);
  const colors = ["#1f5f8b", "#c0392b", "#2b7a0b", "#8a5a00", "#6c3483", "#117a65"];
  series.slice(0, 6).forEach((s, i) => {
    if (s.points.length > 1) el("polyline", { points: s.points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" "), fill: "none", stroke: colors[i], "stroke-width": 1.5 });
    el("text", { x: L, y: H - B + 22 + i * 11, fill: colors[i] }, `— ${(s.label || "all").slice(0, 52)}`);
  });
  return svg;
}

/** p99 from the deltas of cumulative histogram buckets (le -> count). */
function quantile(buckets, q) {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.length ? sorted[sorted.length - 1][1] : 0;
  if (total <= 0) return 0;
  const rank = q * total;
  for (const [le, count] of sorted) if (count >= rank) return Number.isFinite(le) ? le : sorted.length > 1 ? sorted[sorted.length - 2][0] : 0;
  return 0;
}

export async function render(main) {
  const body = h("div", { id: "metrics" });
  fill(main, h("h1", {}, "Metrics"), body);
  const history = []; // [{t, parsed}]
  let timer = null;
  let stopped = false;
  const poll = async () => {
    let text;
    try {
      const response = await fetch("/metrics", { cache: "no-store" });
      if (!response.ok || !(response.headers.get("content-type") || "").startsWith("text/plain")) {
        fill(body, h("p", { id: "metrics-unavailable" }, "Metrics not available: this server has no Prometheus endpoint at /metrics."));
        return;
      }
      text = await response.text();
    } catch (error) {
      fill(body, errorBox(error));
      return;
    }
    history.push({ t: Date.now(), parsed: parsePrometheus(text) });
    if (history.length > KEEP) history.shift();
    draw();
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  };
  const draw = () => {
    const last = history[history.length - 1].parsed;
    const charts = [];
    for (const [family, type] of Object.entries(last.types)) {
      if (type === "counter") {
        const series = new Map();
        for (let i = 1; i < history.length; i++) {
          const dt = (history[i].t - history[i - 1].t) / 1000;
          const before = new Map(history[i - 1].parsed.samples.filter((s) => s.name === family || s.name === `${family}_total`).map((s) => [labelText(s.labels), s.value]));
          for (const s of history[i].parsed.samples.filter((s) => s.name === family || s.name === `${family}_total`)) {
            const key = labelText(s.labels);
            if (!before.has(key)) continue;
            if (!series.has(key)) series.set(key, []);
            series.get(key).push([history[i].t, Math.max(0, s.value - before.get(key)) / dt]);
          }
        }
        if (series.size) charts.push(chart(`${family} /s`, "", [...series].map(([label, points]) => ({ label, points }))));
      } else if (type === "histogram" && history.length > 1) {
        const series = new Map();
        for (let i = 1; i < history.length; i++) {
          const groups = new Map();
          const prev = new Map(history[i - 1].parsed.samples.filter((s) => s.name === `${family}_bucket`).map((s) => [labelText(s.labels), s.value]));
          for (const s of history[i].parsed.samples.filter((s) => s.name === `${family}_bucket`)) {
            const key = labelText(s.labels, ["le"]);
            if (!groups.has(key)) groups.set(key, []);
            groups.get(key).push([s.labels.le === "+Inf" ? Infinity : Number(s.labels.le), s.value - (prev.get(labelText(s.labels)) || 0)]);
          }
          for (const [key, buckets] of groups) {
            if (!series.has(key)) series.set(key, []);
            series.get(key).push([history[i].t, quantile(buckets, 0.99)]);
          }
        }
        if (series.size) charts.push(chart(`${family} p99`, "", [...series].map(([label, points]) => ({ label, points }))));
      }
    }
    fill(
      body,
      h("p", { class: "muted" }, `${last.samples.length} samples · updated ${new Date().toLocaleTimeString()} · rates over ${POLL_MS / 1000} s`),
      charts.length ? h("div", { class: "charts" }, charts) : h("p", { class: "muted" }, "Collecting… (rates need two readings)")
    );
  };
  await poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
