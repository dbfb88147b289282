// The tinymlops dashboard: reads the JSON of /api/... (docs/dashboard.md) and
// draws tables and Chart.js charts. Read-only; text goes in with textContent.
"use strict";

const state = {
  experiments: [],   // to_json(Experiment) records, oldest first
  params: [],        // param keys (columns)
  metrics: [],       // metric keys (columns), per-round metrics left out
  sortKey: null,     // column key, e.g. "id" or "metrics.accuracy"
  sortDescending: false,
  filter: "",
  curves: [],
  charts: {},        // canvas id -> Chart
};

const palette = ["#2f6fde", "#e8590c", "#2b8a3e", "#ae3ec9", "#c92a2a", "#0b7285", "#5c940d", "#d6336c", "#495057", "#f08c00"];

// ---- helpers --------------------------------------------------------------

// el("td", {class: "num"}, "text", childNode...)
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Like the CLI: integers as they are, others with up to 6 significant digits.
function formatValue(value) {
  if (value === null || value === undefined) return "-";
  if (typeof value === "number") {
    if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
    return String(Number(value.toPrecision(6)));
  }
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function formatDelta(value) {
  if (typeof value !== "number") return "";
  const text = formatValue(value);
  return value > 0 ? "+" + text : text;
}

function formatBytes(bytes) {
  if (typeof bytes !== "number") return "-";
  if (bytes < 1024) return bytes + " B";
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KiB";
  return (bytes / 1024 / 1024).toFixed(2) + " MiB";
}

function formatDuration(seconds) {
  if (typeof seconds !== "number") return "-";
  if (seconds < 60) return seconds.toFixed(1) + " s";
  return Math.floor(seconds / 60) + " min " + Math.round(seconds % 60) + " s";
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.status + " " + response.statusText);
  return body;
}

function showError(error) {
  const box = document.getElementById("error");
  box.textContent = String(error.message || error);
  box.hidden = false;
}

function fillSelect(select, options, selected) {
  select.replaceChildren(...options.map(([value, label]) => el("option", { value }, label)));
  if (selected !== undefined && options.some(([value]) => value === selected)) select.value = selected;
}

function drawChart(canvasId, config) {
  if (state.charts[canvasId]) state.charts[canvasId].destroy();
  const base = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
  };
  config.options = Object.assign(base, config.options || {});
  state.charts[canvasId] = new Chart(document.getElementById(canvasId), config);
}

// ---- experiments table ------------------------------------------------------

function columns() {
  const fixed = [
    { key: "id", label: "id", get: (e) => e.id },
    { key: "name", label: "name", get: (e) => e.name },
    { key: "status", label: "status", get: (e) => e.status },
    { key: "started_at", label: "started", get: (e) => e.started_at },
    { key: "duration_seconds", label: "duration", get: (e) => e.duration_seconds, num: true, format: formatDuration },
  ];
  const params = state.params.map((p) => ({ key: "params." + p, label: p, group: "param", get: (e) => e.params[p], num: true }));
  const metrics = state.metrics.map((m) => ({ key: "metrics." + m, label: m, group: "metric", get: (e) => e.metrics[m], num: true }));
  return fixed.concat(params, metrics);
}

function compareValues(a, b) {
  const missingA = a === null || a === undefined, missingB = b === null || b === undefined;
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

function visibleExperiments(cols) {
  const needle = state.filter.trim().toLowerCase();
  let rows = state.experiments.filter((e) =>
    !needle || cols.some((c) => formatValue(c.get(e)).toLowerCase().includes(needle)));
  const column = cols.find((c) => c.key === state.sortKey);
  if (column) {
    rows = rows.slice().sort((x, y) => {
      const a = column.get(x), b = column.get(y);
      if (a === null || a === undefined || b === null || b === undefined) return compareValues(a, b);  // missing last
      const order = compareValues(a, b);
      return state.sortDescending ? -order : order;
    });
  }
  return rows;
}

function renderExperiments() {
  const cols = columns();
  const table = document.getElementById("experiments");
  const header = el("tr", {}, ...cols.map((c) => {
    const sorted = c.key === state.sortKey;
    const arrow = sorted ? (state.sortDescending ? " \u25BC" : " \u25B2") : "";
    return el("th", {
      class: "sortable" + (sorted ? " sorted" : "") + (c.num ? " num" : ""),
      "data-key": c.key,
      title: "sort by " + c.label,
      onclick: () => {
        if (state.sortKey === c.key) state.sortDescending = !state.sortDescending;
        else { state.sortKey = c.key; state.sortDescending = false; }
        renderExperiments();
      },
    }, c.group ? el("span", { class: "group" }, c.group) : null, c.label + arrow);
  }));
  table.tHead.replaceChildren(header);
  const rows = visibleExperiments(cols);
  table.tBodies[0].replaceChildren(...rows.map((e) => el("tr", { "data-id": e.id }, ...cols.map((c) => {
    const value = c.get(e);
    const text = c.format ? c.format(value) : formatValue(value);
    const cls = (c.num ? "num" : "") + (c.key === "status" ? " status-" + e.status : "") + (c.key === "id" ? " mono" : "");
    return el("td", { class: cls.trim() }, text);
  }))));
  document.getElementById("experiment-count").textContent =
    rows.length === state.experiments.length ? state.experiments.length + " experiments"
                                             : rows.length + " of " + state.experiments.length + " experiments";
}

// ---- plots --------------------------------------------------------------------

function renderMetricChart() {
  const metric = document.getElementById("metric-select").value;
  const points = state.experiments.filter((e) => typeof e.metrics[metric] === "number");
  document.getElementById("metric-empty").hidden = points.length > 0;
  drawChart("metric-chart", {
    type: "bar",
    data: {
      labels: points.map((e) => e.name),
      datasets: [{ label: metric, data: points.map((e) => e.metrics[metric]), backgroundColor: palette[0] + "cc" }],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { title: { display: true, text: metric } } } },
  });
}

function renderCurveChart() {
  const seriesName = document.getElementById("curve-select").value;
  const datasets = [];
  for (const curve of state.curves) {
    const series = curve.series.find((s) => s.name === seriesName);
    if (!series) continue;
    const color = palette[datasets.length % palette.length];
    datasets.push({
      label: curve.name + (curve.source === "round metrics" ? "" : " (" + curve.source + ")"),
      data: curve.x.map((x, i) => ({ x, y: series.y[i] })),
      borderColor: color,
      backgroundColor: color,
      pointRadius: 2,
      borderWidth: 2,
      spanGaps: true,
    });
  }
  const xName = (state.curves.find((c) => c.series.some((s) => s.name === seriesName)) || {}).x_name || "x";
  document.getElementById("curve-empty").hidden = datasets.length > 0;
  drawChart("curve-chart", {
    type: "line",
    data: { datasets },
    options: {
      scales: {
        x: { type: "linear", title: { display: true, text: xName } },
        y: { title: { display: true, text: seriesName } },
      },
    },
  });
}

function setUpPlots() {
  const numeric = state.metrics.filter((m) => state.experiments.some((e) => typeof e.metrics[m] === "number"));
  const preferred = numeric.find((m) => /accuracy/.test(m)) || numeric[0];
  const metricSelect = document.getElementById("metric-select");
  fillSelect(metricSelect, numeric.map((m) => [m, m]), preferred);
  metricSelect.onchange = renderMetricChart;
  renderMetricChart();

  const names = [];
  for (const curve of state.curves) for (const s of curve.series) if (!names.includes(s.name)) names.push(s.name);
  const curveSelect = document.getElementById("curve-select");
  fillSelect(curveSelect, names.map((n) => [n, n]), names.find((n) => /val.*acc|accuracy/.test(n)) || names[0]);
  curveSelect.onchange = renderCurveChart;
  renderCurveChart();
}

// ---- compare ------------------------------------------------------------------

async function renderCompare() {
  const a = document.getElementById("compare-a").value, b = document.getElementById("compare-b").value;
  const table = document.getElementById("compare");
  if (!a || !b) return;
  const diff = await getJson("/api/compare?a=" + encodeURIComponent(a) + "&b=" + encodeURIComponent(b));
  table.tHead.replaceChildren(el("tr", {}, el("th", {}, ""), el("th", {}, "key"),
    el("th", { class: "num" }, diff.a_name), el("th", { class: "num" }, diff.b_name), el("th", { class: "num" }, "delta")));
  table.tBodies[0].replaceChildren(...diff.rows.map((row) => el("tr", { class: row.differs ? "differs" : "" },
    el("td", { class: "muted" }, row.section),
    el("td", { class: row.section === "hashes" ? "mono" : "" }, row.key),
    el("td", { class: "num" + (row.section === "hashes" ? " mono" : "") },
       row.section === "hashes" && row.a ? String(row.a).slice(0, 12) : formatValue(row.a)),
    el("td", { class: "num" + (row.section === "hashes" ? " mono" : "") },
       row.section === "hashes" && row.b ? String(row.b).slice(0, 12) : formatValue(row.b)),
    el("td", { class: "num delta" }, row.section === "hashes" ? "changed" : formatDelta(row.delta)))));
}

function setUpCompare() {
  const options = state.experiments.map((e) => [e.id, e.name === e.id ? e.id : e.name + " (" + e.id + ")"]);
  const a = document.getElementById("compare-a"), b = document.getElementById("compare-b");
  const n = state.experiments.length;
  fillSelect(a, options, n >= 2 ? state.experiments[n - 2].id : undefined);
  fillSelect(b, options, n >= 1 ? state.experiments[n - 1].id : undefined);
  a.onchange = b.onchange = () => renderCompare().catch(showError);
  return renderCompare();
}

// ---- registry -----------------------------------------------------------------

function gateBadges(version) {
  if (version.gates.length === 0) return [el("span", { class: "muted" }, "no gates")];
  return version.gates.map((g) => el("span", { class: "badge " + (g.passed ? "pass" : "fail"), title: g.message },
    (g.passed ? "\u2713 " : "\u2717 ") + g.gate));
}

async function showLineage(ref) {
  const lineage = await getJson("/api/lineage?ref=" + encodeURIComponent(ref));
  const box = document.getElementById("lineage");
  const m = lineage.model, e = lineage.experiment;
  const rows = [
    ["model", m.name + "@" + m.version],
    ["sha256", m.sha256],
    ["file", m.source_path + " (" + formatBytes(m.size_bytes) + ")"],
    ["experiment", e ? e.name + " (" + e.id + ", " + e.status + ")" : "registered from a plain file"],
  ];
  if (e) {
    rows.push(["params", Object.entries(e.params).map(([k, v]) => k + "=" + formatValue(v)).join("  ") || "-"]);
    rows.push(["git commit", e.git_commit || "-"]);
    rows.push(["stage", e.stage || "-"]);
    for (const [path, hash] of Object.entries(e.hashes)) rows.push(["  " + path, String(hash).slice(0, 12)]);
  }
  if (lineage.produced_as) rows.push(["produced as", lineage.produced_as]);
  for (const move of lineage.alias_moves) {
    rows.push(["alias " + move.alias, (move.from_version === null ? "new" : move.from_version) + " \u2192 " +
      move.to_version + " (" + move.via + ", " + move.moved_at + ")"]);
  }
  box.replaceChildren(el("h3", {}, "Lineage of " + ref),
    el("dl", {}, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", { class: "mono" }, v)])));
  box.hidden = false;
}

function renderRegistry(registry) {
  document.getElementById("gates").textContent =
    registry.gates.length ? "gates: " + registry.gates.join(", ") : "no gates in tinymlops.yaml";
  const container = document.getElementById("registry");
  if (registry.models.length === 0) {
    container.replaceChildren(el("p", { class: "muted" }, "No registered models (tinymlops model register NAME FILE)."));
    return;
  }
  container.replaceChildren(...registry.models.map((model) => el("div", { class: "model" },
    el("h3", {}, model.name),
    el("table", { class: "data registry" },
      el("thead", {}, el("tr", {}, ...["version", "aliases", "sha256", "size", "experiment", "registered", "gates", ""]
        .map((h) => el("th", {}, h)))),
      el("tbody", {}, ...model.versions.slice().reverse().map((v) => el("tr", {},
        el("td", {}, String(v.version)),
        el("td", {}, ...(v.aliases.length ? v.aliases.map((a) => el("span", { class: "badge" }, a)) : ["-"])),
        el("td", { class: "mono" }, v.sha256.slice(0, 12)),
        el("td", {}, formatBytes(v.size_bytes)),
        el("td", { class: "mono" }, v.experiment_id || "-"),
        el("td", {}, v.registered_at),
        el("td", {}, ...gateBadges(v)),
        el("td", {}, el("button", { class: "link", onclick: () => showLineage(model.name + "@" + v.version).catch(showError) },
          "lineage")))))))));
}

// ---- compression --------------------------------------------------------------

async function renderCompression() {
  const name = document.getElementById("compression-select").value;
  if (!name) return;
  const report = await getJson("/api/compression?model=" + encodeURIComponent(name));
  const table = document.getElementById("compression");
  table.tHead.replaceChildren(el("tr", {}, ...["version", "variant", "size", "smaller", "accuracy", "\u0394 acc (pp)", "aliases"]
    .map((h, i) => el("th", { class: i >= 2 && i <= 5 ? "num" : "" }, h))));
  table.tBodies[0].replaceChildren(...report.rows.map((r) => el("tr", {},
    el("td", {}, String(r.version)),
    el("td", {}, r.variant),
    el("td", { class: "num" }, formatBytes(r.size_bytes)),
    el("td", { class: "num" }, typeof r.ratio === "number" ? r.ratio.toFixed(2) + "x" : "-"),
    el("td", { class: "num", title: r.accuracy_metric }, formatValue(r.accuracy)),
    el("td", { class: "num" }, typeof r.delta_accuracy === "number" ? formatDelta(Number(r.delta_accuracy.toFixed(2))) : "-"),
    el("td", {}, ...(r.aliases.length ? r.aliases.map((a) => el("span", { class: "badge" }, a)) : ["-"])))));
  const points = report.rows.filter((r) => typeof r.accuracy === "number");
  drawChart("compression-chart", {
    type: "scatter",
    data: {
      datasets: points.map((r, i) => ({
        label: r.variant + " (v" + r.version + ")",
        data: [{ x: r.size_bytes, y: r.accuracy }],
        backgroundColor: palette[i % palette.length],
        pointRadius: 6,
      })),
    },
    options: {
      scales: {
        x: { beginAtZero: true, grace: "8%", title: { display: true, text: "file size (bytes)" } },
        y: { grace: "20%", title: { display: true, text: "accuracy" } },
      },
    },
  });
}

function setUpCompression(registry) {
  const select = document.getElementById("compression-select");
  fillSelect(select, registry.models.map((m) => [m.name, m.name]));
  select.onchange = () => renderCompression().catch(showError);
  return renderCompression();
}

// ---- start --------------------------------------------------------------------

async function main() {
  const [project, experiments, curves, registry] = await Promise.all([
    getJson("/api/project"), getJson("/api/experiments"), getJson("/api/curves"), getJson("/api/models")]);
  document.getElementById("project").textContent =
    project.root + " \u00B7 " + project.experiments + " experiments \u00B7 " + project.models + " models \u00B7 tinymlops " + project.version;
  state.experiments = experiments.experiments;
  state.params = experiments.params;
  state.metrics = experiments.metrics;
  state.curves = curves.curves;
  document.getElementById("curve-warnings").replaceChildren(...curves.warnings.map((w) => el("li", {}, w)));
  document.getElementById("filter").addEventListener("input", (event) => {
    state.filter = event.target.value;
    renderExperiments();
  });
  renderExperiments();
  setUpPlots();
  renderRegistry(registry);
  await Promise.all([setUpCompare(), setUpCompression(registry)]);
  document.body.dataset.ready = "true";  // the end-to-end test waits for this
}

main().catch((error) => {
  showError(error);
  document.body.dataset.ready = "error";
});
