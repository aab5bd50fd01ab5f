// symsearch dashboard: fetches JSON from this server and draws it. Stored strings (metric
// names, candidates, errors) are data: they are put in the page with textContent only, and
// escaped before plotly sees them (plotly reads a few HTML-like tags in its labels).
"use strict";

const state = {
  store: null, view: "overview", version: -1, overview: null, history: null,
  historyAt: 0, historyCost: 0, sort: "id", desc: false, offset: 0, limit: 50, status: "", selected: null,
  importanceAt: 0, importanceVersion: -1, decisionsVersion: -1,
};
const POLL_MS = 1000;
const $ = (id) => document.getElementById(id);

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") node.textContent = value == null ? "" : String(value);
    else if (key === "class") node.className = value;
    else if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, value);
  }
  for (const child of children || []) node.appendChild(child);
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

// Plotly renders <b>, <br>, <a> ... in its labels; stored names are shown as text instead.
function pt(text) {
  return String(text == null ? "" : text).replace(/&/g, "&amp;").replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

function fmt(value) {
  if (value == null) return "–";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(3) : value.toPrecision(4);
}

function seconds(s) {
  if (s == null) return "–";
  if (s < 1) return (1000 * s).toFixed(s < 0.01 ? 2 : 0) + " ms";
  if (s < 60) return s.toFixed(1) + " s";
  if (s < 3600) return (s / 60).toFixed(1) + " min";
  return (s / 3600).toFixed(2) + " h";
}

async function api(path) {
  const response = await fetch(`/api/stores/${encodeURIComponent(state.store)}/${path}`);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function showError(error) {
  const node = $("error");
  if (error) { node.textContent = String(error.message || error); node.hidden = false; }
  else node.hidden = true;
}

// plotly.js is 4.8 MB of script: the page preloads it (downloaded, not yet run) and runs it
// once the first numbers are shown, so they do not wait for it; every chart does.
let plotlyReady = null;
function loadPlotly() {
  if (!plotlyReady) {
    plotlyReady = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/static/plotly.min.js";
      script.onload = () => { performance.mark("plotly-loaded"); resolve(window.Plotly); };
      script.onerror = () => reject(new Error("could not load /static/plotly.min.js"));
      document.head.appendChild(script);
    });
  }
  return plotlyReady;
}

// Marks a first time (e.g. "numbers-shown") at the next frame after it, once per page: the
// page's own clock from navigation, read by benchmarks/dashboard_load.py.
function markOnce(name) {
  if (performance.getEntriesByName(name).length) return;
  requestAnimationFrame(() => {
    if (!performance.getEntriesByName(name).length) performance.mark(name);
  });
}

const plotConfig = { responsive: true, displaylogo: false };
function traceType(n) { return n > 5000 ? "scattergl" : "scatter"; }

// -- overview ------------------------------------------------------------------------------
function renderOverview(o) {
  $("trial-count").textContent = String(o.trials);
  const counts = Object.entries(o.counts).filter(([, n]) => n).map(([s, n]) => `${n} ${s}`);
  $("status-counts").textContent = counts.join(", ");
  $("best-objective").textContent = o.objectives.length ? `(${o.objectives.join(", ")})` : "";
  $("best-value").textContent = o.best ? o.best.values.map(fmt).join(", ") : "–";
  $("best-trial").textContent = o.best ? `trial ${o.best.id}` : "no successful trial yet";
  $("trial-rate").textContent = o.trials_per_s == null ? "–" : o.trials_per_s.toFixed(2);
  $("elapsed").textContent = `elapsed ${seconds(o.elapsed_s)}`;
  const c = o.cache;
  $("cache-rate").textContent = c.hit_rate == null ? "–" : (100 * c.hit_rate).toFixed(1) + "%";
  $("cache-saved").textContent =
    `${c.evaluations_saved} evaluations saved (~${seconds(c.saved_s)})`;
  const b = o.budget, parts = [];
  if (b.trials_left != null) parts.push(`${b.trials_left} of ${b.trials} trials`);
  if (b.time_left_s != null) parts.push(seconds(b.time_left_s));
  $("budget").textContent = parts.length ? parts.join(", ") : "–";
  $("algorithm").textContent = o.algorithm ? `algorithm ${o.algorithm}` : "";
  markOnce("numbers-shown");
  $("live-state").textContent = o.running ? "● search running" : "search not running";
  $("value-header").textContent = o.objectives.length ? o.objectives[0] : "value";
  const select = $("objective-select");
  if (select.options.length !== o.objectives.length) {
    clear(select);
    o.objectives.forEach((name, i) => select.appendChild(el("option", { value: i, text: name })));
  }
}

// -- history and Pareto front --------------------------------------------------------------
const STATUS_STYLE = {
  done: { color: "#1f77b4", symbol: "circle" }, cached: { color: "#90a4ae", symbol: "circle-open" },
  pruned: { color: "#ff7f0e", symbol: "x" },
};

const STATUS_CODES = { d: "done", c: "cached", p: "pruned" };

function historyTraces(h, k, axis) {
  const traces = [];
  for (const status of ["done", "cached", "pruned"]) {
    const x = [], y = [], ids = [];
    const code = status[0];
    for (let i = 0; i < h.ids.length; i++) {
      if (h.statuses[i] === code) { x.push(h.ids[i]); y.push(h.values[k][i]); ids.push(h.ids[i]); }
    }
    if (!x.length) continue;
    traces.push({ type: traceType(x.length), mode: "markers", name: status, x, y,
      customdata: ids, xaxis: "x" + axis, yaxis: "y" + axis, showlegend: k === 0,
      marker: { color: STATUS_STYLE[status].color, symbol: STATUS_STYLE[status].symbol, size: 6 },
      hovertemplate: "trial %{customdata}<br>%{y}<extra>" + status + "</extra>" });
  }
  traces.push({ type: "scatter", mode: "lines", name: "best so far",
    x: h.best[k].ids, y: h.best[k].values, line: { shape: "hv", color: "#d62728" }, xaxis: "x" + axis,
    yaxis: "y" + axis, showlegend: k === 0, hoverinfo: "skip" });
  return traces;
}

function drawHistory(node, h, log) {
  if (!h.objectives.length) { clear(node); node.textContent = "No objective recorded."; return; }
  let traces = [];
  const layout = { margin: { t: 30, r: 20, b: 45, l: 60 }, legend: { orientation: "h" },
    grid: { rows: h.objectives.length, columns: 1, pattern: "independent" } };
  h.objectives.forEach((name, k) => {
    const axis = k === 0 ? "" : String(k + 1);
    traces = traces.concat(historyTraces(h, k, axis));
    layout["yaxis" + axis] = { title: { text: pt(name) }, type: log ? "log" : "linear" };
    layout["xaxis" + axis] = { title: { text: k === h.objectives.length - 1 ? "trial id" : "" } };
  });
  layout.height = Math.max(360, 260 * h.objectives.length);
  Plotly.react(node, traces, layout, plotConfig);
  if (!node.dataset.bound) {
    node.on("plotly_click", (event) => {
      const id = event.points && event.points[0] && event.points[0].customdata;
      if (id != null) openTrial(id);
    });
    node.dataset.bound = "1";
  }
}

function drawPareto(node, h) {
  if (h.objectives.length < 2) { node.hidden = true; return; }
  node.hidden = false;
  const front = new Set(h.pareto);
  const rest = { x: [], y: [], ids: [] }, top = [];
  h.ids.forEach((id, i) => {
    if (h.statuses[i] === "p") return;
    if (front.has(id)) top.push([h.values[0][i], h.values[1][i], id]);
    else { rest.x.push(h.values[0][i]); rest.y.push(h.values[1][i]); rest.ids.push(id); }
  });
  top.sort((a, b) => a[0] - b[0]);
  Plotly.react(node, [
    { type: traceType(rest.x.length), mode: "markers", name: "trials", x: rest.x, y: rest.y,
      customdata: rest.ids, marker: { color: "#9e9e9e", size: 6 },
      hovertemplate: "trial %{customdata}<extra></extra>" },
    { type: "scatter", mode: "lines+markers", name: "Pareto front", x: top.map((p) => p[0]),
      y: top.map((p) => p[1]), customdata: top.map((p) => p[2]), marker: { color: "#d62728" },
      hovertemplate: "trial %{customdata}<extra>front</extra>" },
  ], { title: { text: "Pareto front" }, margin: { t: 40, r: 20, b: 45, l: 60 },
    xaxis: { title: { text: pt(h.objectives[0]) } }, yaxis: { title: { text: pt(h.objectives[1]) } } },
  plotConfig);
}

async function loadHistory(force) {
  // A big store's history is megabytes to fetch and draw: while a search writes, reload it
  // at most every few times as long as the last load took (and at least every 1 s).
  const now = Date.now();
  if (!force && state.historyAt && now - state.historyAt < Math.max(1000, 4 * state.historyCost)) {
    state.pending = true;               // drawn at a later poll, even if nothing else changes
    return;
  }
  state.historyAt = now;
  // The history's fetch runs while plotly.js is still being run, not after it.
  // Its cost (fetch + draw, not plotly.js's one-off start) sets how often it reloads.
  let fetchCost = 0;
  const fetching = api("history").then((h) => { fetchCost = Date.now() - now; return h; });
  const [history] = await Promise.all([fetching, loadPlotly()]);
  state.history = history;
  const drawStart = Date.now();
  const log = $("log-scale").checked;
  if (state.view === "overview") drawHistory($("overview-chart"), state.history, false);
  if (state.view === "history") {
    drawHistory($("history-chart"), state.history, log);
    drawPareto($("pareto-chart"), state.history);
  }
  markOnce("history-drawn");
  state.historyCost = fetchCost + Date.now() - drawStart;
}

// -- trials --------------------------------------------------------------------------------
async function loadTrials() {
  const q = new URLSearchParams({ sort: state.sort, desc: state.desc ? "1" : "0",
    offset: state.offset, limit: state.limit, status: state.status });
  const page = await api(`trials?${q}`);
  const body = $("trial-table").querySelector("tbody");
  clear(body);
  for (const row of page.rows) {
    const tr = el("tr", { "data-id": row.id, onclick: () => openTrial(row.id) }, [
      el("td", { text: row.id }),
      el("td", { text: row.status + (row.cached_from != null ? ` (of ${row.cached_from})` : "")
        + (row.error ? " ⚠" : ""), class: "status-" + row.status }),
      el("td", { text: row.values ? row.values.map(fmt).join(", ") : "–" }),
      el("td", { text: seconds(row.duration) }),
      el("td", { text: row.candidate, class: "candidate" }),
    ]);
    if (row.id === state.selected) tr.classList.add("selected");
    body.appendChild(tr);
  }
  const last = Math.min(page.total, state.offset + page.rows.length);
  $("trial-total").textContent = page.total ?
    `${state.offset + 1}–${last} of ${page.total}` : "no trials";
}

function table(rows, header) {
  const t = el("table", {}, header ? [el("thead", {}, [el("tr", {},
    header.map((h) => el("th", { text: h })))])] : []);
  const body = el("tbody");
  for (const cells of rows) body.appendChild(el("tr", {}, cells.map((c) =>
    c instanceof Node ? el("td", {}, [c]) : el("td", { text: c }))));
  t.appendChild(body);
  return t;
}

function trialLink(id) {
  return el("a", { class: "trial-link", text: `trial ${id}`, onclick: () => openTrial(id) });
}

async function openTrial(id) {
  state.selected = id;
  if (state.view !== "trials") switchView("trials");
  const t = await api(`trials/${id}`);
  const node = $("trial-detail");
  clear(node);
  node.hidden = false;
  node.appendChild(el("h2", { text: `Trial ${t.id}` }));
  const summary = [["status", t.status], ["attempts", t.attempts], ["worker", t.worker || "–"],
    ["duration", seconds(t.duration)], ["structural hash", t.structural_hash || "–"],
    ["functional hash", t.functional_hash || "–"]];
  if (t.cached_from != null) summary.push(["cached from", trialLink(t.cached_from)]);
  node.appendChild(table(summary));
  node.appendChild(el("h3", { text: "metrics" }));
  node.appendChild(t.metrics.length ? table(t.metrics, ["name", "value"]) :
    el("p", { class: "muted", text: "none" }));
  if (t.error) {
    node.appendChild(el("h3", { text: "error" }));
    node.appendChild(el("pre", { class: "trial-error", text: t.error }));
  }
  if (t.decisions.length) {
    node.appendChild(el("h3", { text: "decisions (active ones)" }));
    node.appendChild(table(t.decisions.map((d) => [d.name, d.value, d.condition || ""]),
      ["decision", "value", "active when"]));
  }
  if (t.source) {
    node.appendChild(el("h3", { text: "source" }));
    node.appendChild(el("pre", { text: t.source }));
  }
  node.appendChild(el("h3", { text: "candidate" }));
  node.appendChild(table(t.candidate, ["key path", "value"]));
  if (t.reports.length) {
    node.appendChild(el("h3", { text: `intermediate reports (${t.reports.length})` }));
    node.appendChild(table(t.reports.map((r) => [r.step == null ? "–" : r.step,
      r.metrics.map(([k, v]) => `${k}=${v}`).join(", ")]), ["step", "metrics"]));
  }
  for (const tr of $("trial-table").querySelectorAll("tbody tr"))
    tr.classList.toggle("selected", Number(tr.dataset.id) === id);
}

// -- decisions: importance, parallel coordinates, slices -----------------------------------
async function loadImportance(force) {
  // fANOVA takes a while on big stores: at most every 10 s while a search writes.
  if (!force && (state.importanceVersion === state.version ||
                 Date.now() - state.importanceAt < 10000)) return;
  state.importanceAt = Date.now();
  state.importanceVersion = state.version;
  const objective = $("objective-select").value || 0;
  const method = $("importance-method").value;
  $("importance-note").textContent = "computing…";
  const r = await api(`importance?objective=${objective}&method=${method}`);
  $("importance-note").textContent = r.message ||
    `${r.method} on ${r.rows.length ? r.rows[0].trials : 0} trials, for ${r.objective}`;
  const rows = r.rows.slice().reverse();
  Plotly.react($("importance-chart"), [{ type: "bar", orientation: "h",
    x: rows.map((x) => x.importance),
    y: rows.map((x) => pt(x.scope === "all trials" ? x.name : `${x.name} [${x.scope}]`)),
    marker: { color: "#1976d2" } }],
  { title: { text: "decision importance" }, margin: { t: 40, r: 20, b: 40, l: 220 },
    height: Math.max(260, 40 + 28 * rows.length), xaxis: { range: [0, 1] } }, plotConfig);
}

function dimension(column, values) {
  // Inactive (conditional) values sit on their own tick below the range.
  if (column.kind === "choice") {
    const labels = column.choices.length ? column.choices : [...new Set(values)].map(String);
    const has = values.some((v) => v == null);
    return { label: pt(column.name), values: values.map((v) => (v == null ? -1 : v)),
      tickvals: (has ? [-1] : []).concat(labels.map((_, i) => i)),
      ticktext: (has ? ["inactive"] : []).concat(labels.map(pt)),
      range: [has ? -1 : 0, Math.max(1, labels.length - 1)] };
  }
  const span = column.hi - column.lo || 1;
  const off = column.lo - 0.1 * span;
  const has = values.some((v) => v == null);
  const d = { label: pt(column.name), values: values.map((v) => (v == null ? off : v)),
    range: [has ? off : column.lo, column.hi] };
  if (has) {
    d.tickvals = [off, column.lo, (column.lo + column.hi) / 2, column.hi];
    d.ticktext = ["inactive", fmt(column.lo), fmt((column.lo + column.hi) / 2), fmt(column.hi)];
  }
  return d;
}

async function loadDecisions() {
  if (state.decisionsVersion !== state.version) {
    state.decisionsVersion = state.version;
    const d = await api("decisions");
    const k = Number($("objective-select").value || 0);
    const y = d.objective_values.map((v) => v[k]);
    if (!d.columns.length || !d.ids.length) {
      clear($("parallel-chart")); $("parallel-chart").textContent = "No decision values yet.";
    } else {
      const dims = d.columns.map((c, i) => dimension(c, d.values.map((row) => row[i])));
      dims.push({ label: pt(d.objectives[k] || "objective"), values: y });
      Plotly.react($("parallel-chart"), [{ type: "parcoords", dimensions: dims,
        line: { color: y, colorscale: "Viridis", showscale: true,
          reversescale: (d.objectives[k] || "").startsWith("min:") } }],
      { title: { text: "parallel coordinates" }, margin: { t: 60, r: 40, b: 30, l: 60 } },
      plotConfig);
    }
    drawSlices(d, y, k);
  }
  await loadImportance(false);
}

function drawSlices(d, y, k) {
  const box = $("slice-charts");
  clear(box);
  d.columns.forEach((c, i) => {
    const x = [], yy = [], ids = [];
    d.values.forEach((row, j) => {
      if (row[i] == null) return;              // only where the decision is active
      x.push(c.kind === "choice" && c.choices.length ? pt(c.choices[row[i]]) : row[i]);
      yy.push(y[j]); ids.push(d.ids[j]);
    });
    const node = el("div", { class: "chart slice" });
    box.appendChild(node);
    Plotly.react(node, [{ type: traceType(x.length), mode: "markers", x, y: yy, customdata: ids,
      marker: { color: ids, colorscale: "Blues", size: 6 },
      hovertemplate: "trial %{customdata}<extra></extra>" }],
    { title: { text: pt(c.name + (c.condition ? ` (when ${c.condition})` : "")),
      font: { size: 13 } }, margin: { t: 40, r: 10, b: 40, l: 50 },
      xaxis: { type: c.kind === "choice" ? "category" : (c.log ? "log" : "linear") },
      yaxis: { title: { text: pt(d.objectives[k] || "") } } }, plotConfig);
  });
}

// -- intermediate values -------------------------------------------------------------------
async function loadIntermediate() {
  const objective = $("objective-select").value || 0;
  const r = await api(`intermediate?objective=${objective}`);
  $("intermediate-note").textContent = r.curves.length ?
    `${r.curves.length} trials with reports of ${r.metric}; pruned ones dashed` :
    "No trial has intermediate reports.";
  const traces = r.curves.map((c) => ({ type: "scatter", mode: "lines", x: c.steps, y: c.values,
    name: `trial ${c.id}`, showlegend: false,
    line: { dash: c.status === "pruned" ? "dash" : "solid", width: 1,
      color: c.status === "pruned" ? "#ff7f0e" : "#1f77b4" } }));
  const pruned = r.curves.filter((c) => c.status === "pruned");
  if (pruned.length) traces.push({ type: "scatter", mode: "markers", name: "pruned",
    x: pruned.map((c) => c.steps[c.steps.length - 1]),
    y: pruned.map((c) => c.values[c.values.length - 1]),
    marker: { symbol: "x", color: "#ff7f0e", size: 8 } });
  Plotly.react($("intermediate-chart"), traces, { margin: { t: 30, r: 20, b: 45, l: 60 },
    xaxis: { title: { text: "step" } }, yaxis: { title: { text: pt(r.metric || "") } } },
  plotConfig);
}

// -- programs: source and diff -------------------------------------------------------------
function improvements(h) {
  // The trials that improved the best value (the last change point may repeat the best).
  if (!h || !h.objectives.length) return [];
  const best = h.best[0], ids = [];
  best.ids.forEach((id, i) => { if (i === 0 || best.values[i] !== best.values[i - 1]) ids.push(id); });
  return ids;
}

async function loadPrograms() {
  if (!state.history) state.history = await api("history");
  const steps = improvements(state.history);
  if ($("program-a").value === "" && steps.length) $("program-a").value = steps[steps.length - 1];
  if ($("program-b").value === "" && steps.length > 1) $("program-b").value = steps[steps.length - 2];
  const a = $("program-a").value, b = $("program-b").value;
  if (a === "") return;
  const t = await api(`trials/${a}`);
  $("program-a-id").textContent = a;
  $("program-source").textContent = t.source ||
    t.candidate.map(([path, value]) => `${path} = ${value}`).join("\n");
  const diffNode = $("program-diff");
  clear(diffNode);
  if (b === "") { diffNode.textContent = "(give a second trial to compare)"; return; }
  const d = await api(`diff?a=${encodeURIComponent(b)}&b=${encodeURIComponent(a)}`);
  if (!d.lines.length) diffNode.textContent = "(the candidates are the same)";
  for (const line of d.lines) {
    const cls = line.startsWith("@@") ? "hunk" : line.startsWith("+") ? "add" :
      line.startsWith("-") ? "del" : "";
    diffNode.appendChild(el("span", { class: cls, text: line + "\n" }));
  }
}

// -- views and polling ---------------------------------------------------------------------
const loaders = {
  overview: loadHistory, history: loadHistory, trials: loadTrials,
  decisions: loadDecisions, intermediate: loadIntermediate, programs: loadPrograms,
};

function switchView(view) {
  state.view = view;
  for (const button of document.querySelectorAll("#tabs button"))
    button.classList.toggle("active", button.dataset.view === view);
  for (const section of document.querySelectorAll(".view"))
    section.hidden = section.id !== "view-" + view;
  refreshView(true);
}

async function refreshView(force) {
  try {
    // loadHistory waits for plotly.js itself, beside its own fetch; the other charts first.
    if (!["trials", "programs", "overview", "history"].includes(state.view)) await loadPlotly();
    await loaders[state.view](force === true);
    showError(null);
  } catch (error) { showError(error); }
}

async function poll() {
  if (state.store) {
    try {
      const o = await api("overview");
      renderOverview(o);
      state.overview = o;
      loadPlotly();
      if (o.version !== state.version || state.pending) {
        state.version = o.version;
        state.pending = false;
        if (state.view !== "programs") await refreshView();
      }
      showError(null);
    } catch (error) { showError(error); }
  }
  setTimeout(poll, POLL_MS);
}

async function start() {
  const response = await fetch("/api/stores");
  const { stores } = await response.json();
  const select = $("store-select");
  for (const s of stores) select.appendChild(el("option", { value: s.id, text: s.id }));
  state.store = stores.length ? stores[0].id : null;
  select.addEventListener("change", () => {
    state.store = select.value; state.version = -1; state.offset = 0; state.history = null;
    state.historyAt = 0;
    state.decisionsVersion = -1; state.importanceVersion = -1; state.importanceAt = 0;
    $("trial-detail").hidden = true;
  });
  for (const button of document.querySelectorAll("#tabs button"))
    button.addEventListener("click", () => switchView(button.dataset.view));
  for (const th of document.querySelectorAll("#trial-table th[data-sort]"))
    th.addEventListener("click", () => {
      state.desc = state.sort === th.dataset.sort ? !state.desc : false;
      state.sort = th.dataset.sort; state.offset = 0; refreshView();
    });
  $("status-filter").addEventListener("change", () => {
    state.status = $("status-filter").value; state.offset = 0; refreshView();
  });
  $("prev-page").addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - state.limit); refreshView();
  });
  $("next-page").addEventListener("click", () => { state.offset += state.limit; refreshView(); });
  $("log-scale").addEventListener("change", () => refreshView(true));
  $("importance-method").addEventListener("change", () => loadImportance(true).catch(showError));
  $("objective-select").addEventListener("change", () => {
    state.decisionsVersion = -1; state.importanceAt = 0; state.importanceVersion = -1;
    refreshView();
  });
  $("show-program").addEventListener("click", refreshView);
  if (!stores.length) showError("no store to show");
  poll();
}

document.addEventListener("DOMContentLoaded", start);
