// glassnet playground: the page. One ES module, no dependency, no build step.
//
// The core, render({ transport, el }), draws what the server sends (the heatmap, the
// network with its weight or gradient lines, the curves, the readouts, the glass box)
// and sends the controls' messages. A transport is { send(message), onMessage(callback) }:
// the page wires it to the WebSocket (websocketTransport); a notebook widget can wire it
// to its model. Messages in: JSON text ({type: "hello" | "error" | "diverged" |
// "glassbox" | "upload"}) or binary frames: uint32 n | n bytes of JSON header | float32.

const BLUE = [8, 119, 189];
const ORANGE = [245, 147, 34];
const CLASS_COLOURS = [ORANGE, BLUE, [76, 175, 80], [156, 39, 176], [233, 30, 99]];
const HEAT = 384; // the heatmap canvas, in pixels
const LIST_FIELDS = ["features", "hidden", "activations"];

/** Split a binary frame into its JSON header and its named Float32Arrays. */
export function decodeFrame(buffer) {
  const view = new DataView(buffer);
  const n = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)));
  const arrays = {};
  for (const entry of header.arrays) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    arrays[entry.name] = { data: new Float32Array(buffer, 4 + n + 4 * entry.offset, size), shape: entry.shape };
  }
  return { header, arrays };
}

/** The WebSocket transport of the page: /ws on the page's own host. */
export function websocketTransport(url) {
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  const pending = [];
  let receive = () => {};
  socket.addEventListener("open", () => pending.splice(0).forEach((m) => socket.send(m)));
  socket.addEventListener("message", (event) => receive(event.data));
  socket.addEventListener("close", (event) => receive(JSON.stringify({
    type: "error", message: `the connection closed (${event.code}${event.reason ? ": " + event.reason : ""})`, hint: "reload the page",
  })));
  return {
    send(message) {
      const text = JSON.stringify(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(text); else pending.push(text);
    },
    onMessage(callback) { receive = callback; },
  };
}

// ---- the URL hash: the whole setup, and the controls a lesson hides ----

export function setupToHash(setup, hidden) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(setup)) {
    if (key === "added") params.set(key, value.map((p) => p.map((x) => +x.toFixed(3)).join(",")).join(";"));
    else params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  if (hidden.length) params.set("hide", hidden.join(","));
  return "#" + params.toString();
}

export function hashToSetup(hash, defaults) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const setup = structuredClone(defaults);
  for (const [key, text] of params) {
    if (!(key in defaults)) continue;
    if (key === "added") setup.added = text ? text.split(";").map((p) => p.split(",").map(Number)) : [];
    else if (LIST_FIELDS.includes(key)) {
      const items = text ? text.split(",") : [];
      setup[key] = key === "hidden" ? items.map(Number) : items;
    } else if (typeof defaults[key] === "number") setup[key] = Number(text);
    else setup[key] = text;
  }
  return { setup, hidden: (params.get("hide") || "").split(",").filter(Boolean) };
}

// ---- small DOM helpers ----

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "testid") node.dataset.testid = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && key !== "list") node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function select(testid, choices, value, onchange) {
  const node = element("select", { testid, onchange: () => onchange(node.value) });
  for (const choice of choices) node.append(element("option", { value: choice, textContent: choice }));
  node.value = value;
  return node;
}

function number(testid, value, attributes, onchange) {
  const node = element("input", { type: "number", testid, value, ...attributes });
  node.addEventListener("change", () => onchange(Number(node.value)));
  return node;
}

function fmt(value, digits = 4) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

function mix(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}

// ---- the core ----

/** Draw the playground into `el`, talking to the server through `transport`. */
export function render({ transport, el, hash = "", onHash = () => {} }) {
  const state = {
    setup: null, defaults: null, choices: null, hidden: [], session: null, points: null,
    frame: null, hover: null, gradients: false, discretize: false, frames: 0, drawn: 0, fpsStart: performance.now(), fps: 0,
    columns: [], layout: [],
  };
  const ui = {};
  el.replaceChildren();

  const send = (message) => transport.send(message);
  const sendSetup = () => {
    onHash(setupToHash(state.setup, state.hidden));
    send({ type: "setup", ...state.setup });
  };
  const change = (key) => (value) => { state.setup[key] = value; buildControls(); sendSetup(); };
  const message = (text) => { ui.message.textContent = text; };

  // the bar: play, pause, step, epoch, reset and the readouts
  const readout = (testid, label) => {
    ui[testid] = element("b", { testid, textContent: "–" });
    return element("span", { className: "gn-readout" }, `${label} `, ui[testid]);
  };
  const button = (testid, text, type) => element("button", { testid, textContent: text, onclick: () => send({ type }) });
  const bar = element("header", { className: "gn-bar" },
    element("h1", { textContent: "glassnet playground" }),
    button("play", "▶ play", "play"), button("pause", "❚❚ pause", "pause"),
    button("step", "step", "step"), button("run-epoch", "epoch", "epoch"), button("reset", "reset", "reset"),
    readout("epoch", "epoch"), readout("train-loss", "train loss"), readout("test-loss", "test loss"),
    readout("accuracy", "accuracy"), readout("fps", "frames/s"));
  ui.metricLabel = bar.querySelector("[data-testid=accuracy]").parentNode.firstChild;

  ui.controls = element("div");
  ui.message = element("div", { className: "gn-message", testid: "message" });
  ui.heatmap = element("canvas", { width: HEAT, height: HEAT, testid: "heatmap" });
  ui.network = element("canvas", { width: 620, height: 420, testid: "network", className: "gn-network" });
  ui.curves = element("canvas", { width: 400, height: 150, testid: "curves" });
  ui.confusion = element("table", { className: "gn-confusion", testid: "confusion" });
  ui.glassbox = element("div", { className: "gn-glassbox", testid: "glassbox" }, "Click a unit or a weight for its numbers.");
  ui.exported = element("div", { className: "gn-export" });
  const options = element("div", {},
    element("label", {}, "discretize", element("input", { type: "checkbox", testid: "discretize", onchange: (e) => { state.discretize = e.target.checked; draw(); } })),
    element("label", {}, "gradient view (dW, dZ)", element("input", { type: "checkbox", testid: "gradients", onchange: (e) => { state.gradients = e.target.checked; draw(); } })),
    element("label", {}, "click adds class", select("click-class", ["0", "1", "2", "3", "4"], "0", () => {})));
  el.append(bar, element("div", { className: "gn-main" },
    element("section", { className: "gn-panel" }, ui.controls),
    element("section", { className: "gn-panel" }, element("h2", { textContent: "network" }), ui.network, ui.message, element("h2", { textContent: "glass box: the current step" }), ui.glassbox),
    element("section", { className: "gn-panel" }, element("h2", { textContent: "output" }), ui.heatmap, options, ui.curves, ui.confusion,
      element("h2", { textContent: "take it away" }),
      element("button", { testid: "download-model", textContent: "download model", onclick: () => download("/model.npz", "playground-model.npz") }), " ",
      element("button", { testid: "download-data", textContent: "download data", onclick: () => download("/data.csv", "playground-data.csv") }), " ",
      element("button", { testid: "command-line", textContent: "command line & Python", onclick: showExport }), ui.exported)));

  async function download(path, name) {
    const response = await fetch(`${path}?session=${state.session}`);
    if (!response.ok) return message((await response.json()).error);
    const url = URL.createObjectURL(await response.blob());
    element("a", { href: url, download: name }).click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function showExport() {
    const response = await fetch(`/export?session=${state.session}`);
    const texts = await response.json();
    if (!response.ok) return message(texts.error);
    ui.exported.replaceChildren(element("textarea", { testid: "command-text", readOnly: true, value: texts.command }),
      element("textarea", { testid: "python-text", readOnly: true, value: texts.python }));
  }

  async function upload(file) {
    const response = await fetch(`/upload?session=${state.session}`, { method: "POST", body: file });
    const reply = await response.json();
    if (!response.ok) return message(reply.error);
    useColumns(reply.columns);
  }

  function useColumns(columns) {
    state.columns = columns;
    Object.assign(state.setup, { data: "csv", csv_x1: columns[0], csv_x2: columns[1], csv_target: columns[columns.length - 1] });
    buildControls();
    sendSetup();
  }

  // the controls, rebuilt from the setup (and hidden as the hash asks)
  function buildControls() {
    const s = state.setup, c = state.choices;
    const row = (testid, label, control) => {
      const node = element("label", { className: state.hidden.includes(testid) ? "gn-hidden" : "" }, label, control);
      return node;
    };
    const data = [
      element("h2", { textContent: "data" }),
      row("dataset", "data set", select("dataset", c.data, s.data, change("data"))),
      row("noise", "noise", number("noise", s.noise, { min: 0, max: 1, step: 0.05 }, change("noise"))),
      row("points", "points", number("points", s.points, { min: 10, max: 2000, step: 10 }, change("points"))),
      row("train-ratio", "train part", number("train-ratio", s.train_ratio, { min: 0.1, max: 0.9, step: 0.1 }, change("train_ratio"))),
      row("classes", "classes (spiral)", number("classes", s.classes, { min: 2, max: 5 }, change("classes"))),
      row("upload", "your CSV", element("input", { type: "file", accept: ".csv,text/csv", testid: "upload", onchange: (e) => e.target.files[0] && upload(e.target.files[0]) })),
    ];
    if (s.data === "csv") {
      for (const [key, label] of [["csv_x1", "x1 column"], ["csv_x2", "x2 column"], ["csv_target", "target"]]) {
        data.push(row(key, label, select(key.replace("_", "-"), state.columns, s[key], change(key))));
      }
    }
    const features = element("div", { className: "gn-features" + (state.hidden.includes("features") ? " gn-hidden" : "") },
      ...c.features.map((name) => element("label", {}, element("input", {
        type: "checkbox", checked: s.features.includes(name), testid: `feature-${name}`,
        onchange: (e) => change("features")(e.target.checked ? [...s.features, name] : s.features.filter((f) => f !== name)),
      }), name)));
    const layers = s.hidden.map((units, i) => element("div", { className: "gn-layer" }, `layer ${i + 1}`,
      number(`units-${i + 1}`, units, { min: 1, max: 16 }, (v) => { s.hidden[i] = v; change("hidden")(s.hidden); }),
      select(`activation-${i + 1}`, c.activations, s.activations[i], (v) => { s.activations[i] = v; change("activations")(s.activations); })));
    const setLayers = (n) => {
      n = Math.max(0, Math.min(6, n));
      s.hidden = Array.from({ length: n }, (_, i) => s.hidden[i] ?? 4);
      s.activations = Array.from({ length: n }, (_, i) => s.activations[i] ?? "relu");
      change("hidden")(s.hidden);
    };
    const training = [
      element("h2", { textContent: "network" }),
      row("hidden-layers", "hidden layers", number("hidden-layers", s.hidden.length, { min: 0, max: 6 }, setLayers)),
      element("div", { className: state.hidden.includes("hidden-layers") ? "gn-hidden" : "" }, ...layers),
      row("output", "output + loss", select("output", c.output, s.output, change("output"))),
      element("h2", { textContent: "training" }),
      row("optimizer", "optimizer", select("optimizer", c.optimizer, s.optimizer, change("optimizer"))),
      row("learning-rate", "learning rate", number("learning-rate", s.learning_rate, { min: 0.000001, max: 100, step: "any" }, change("learning_rate"))),
      row("batch-size", "batch size (0: all)", number("batch-size", s.batch_size, { min: 0, max: 2000 }, change("batch_size"))),
      row("l2", "L2", number("l2", s.l2, { min: 0, max: 10, step: "any" }, change("l2"))),
      row("dropout", "dropout", number("dropout", s.dropout, { min: 0, max: 0.9, step: 0.05 }, change("dropout"))),
      row("seed", "seed", number("seed", s.seed, { min: 0 }, change("seed"))),
      row("steps-per-frame", "steps per frame", number("steps-per-frame", s.steps_per_frame, { min: 1, max: 200 }, change("steps_per_frame"))),
    ];
    ui.controls.replaceChildren(...data, element("h2", { textContent: "features" }), features, ...training);
  }

  // ---- drawing ----

  function colourOf(values, i, k) {
    const p = state.points, discretize = state.discretize;
    if (p.task === "regression") {
      const t = Math.max(0, Math.min(1, (values[i] - p.low) / (p.high - p.low || 1)));
      return mix(ORANGE, BLUE, discretize ? (t > 0.5 ? 1 : 0) : t);
    }
    if (k === 1) {
      const t = discretize ? (values[i] > 0.5 ? 1 : 0) : values[i];
      return mix(ORANGE, BLUE, t);
    }
    let best = 0;
    for (let c = 1; c < k; c++) if (values[i * k + c] > values[i * k + best]) best = c;
    const strength = discretize ? 1 : values[i * k + best];
    return mix([255, 255, 255], CLASS_COLOURS[best % CLASS_COLOURS.length], strength);
  }

  function drawHeatmap() {
    const f = state.frame, p = state.points;
    if (!f || !p) return;
    const context = ui.heatmap.getContext("2d");
    let values = f.arrays.heatmap.data, side = f.arrays.heatmap.shape[0], k = f.arrays.heatmap.shape[2];
    if (state.hover) { // a hovered unit's own map on the big plot
      const maps = f.arrays[`units${state.hover.layer}`];
      if (maps) {
        side = maps.shape[1]; k = 1;
        const size = side * side;
        values = Array.from(maps.data.subarray(state.hover.unit * size, (state.hover.unit + 1) * size), (v) => Math.tanh(v) * 0.5 + 0.5);
      }
    }
    const image = new ImageData(side, side);
    for (let i = 0; i < side * side; i++) {
      const [r, g, b] = state.hover ? mix(ORANGE, BLUE, values[i]) : colourOf(values, i, k);
      image.data.set([r, g, b, 200], 4 * i);
    }
    const small = new OffscreenCanvas(side, side);
    small.getContext("2d").putImageData(image, 0, 0);
    context.imageSmoothingEnabled = !state.discretize;
    context.clearRect(0, 0, HEAT, HEAT);
    context.drawImage(small, 0, 0, HEAT, HEAT);
    const [x1a, x1b, x2a, x2b] = p.domain;
    for (let i = 0; i < p.n; i++) {
      const x = ((p.P[2 * i] - x1a) / (x1b - x1a)) * HEAT, y = ((x2b - p.P[2 * i + 1]) / (x2b - x2a)) * HEAT;
      const label = p.y[i];
      const colour = p.task === "regression"
        ? mix(ORANGE, BLUE, Math.max(0, Math.min(1, (label - p.low) / (p.high - p.low || 1))))
        : CLASS_COLOURS[label % CLASS_COLOURS.length];
      context.beginPath();
      context.arc(x, y, 3.2, 0, 2 * Math.PI);
      context.fillStyle = `rgb(${colour})`;
      context.fill();
      context.lineWidth = p.part[i] ? 1.6 : 0.8;
      context.strokeStyle = p.part[i] ? "#000" : "#fff";
      context.stroke();
    }
  }

  // a canvas's colours as the page resolves them (light or dark): its text colour and its panel's
  function paletteOf(canvas) {
    const style = getComputedStyle(canvas);
    return { ink: style.color, paper: style.backgroundColor };
  }

  function drawNetwork() {
    const f = state.frame;
    if (!f) return;
    const sizes = f.header.layer_sizes, canvas = ui.network, context = canvas.getContext("2d");
    const { ink, paper } = paletteOf(canvas);
    const W = canvas.width, H = canvas.height, spacing = Math.min(34, (H - 20) / Math.max(...sizes)), box = spacing - 4;
    context.clearRect(0, 0, W, H);
    const columnX = (l) => 80 + (l * (W - 120)) / (sizes.length - 1);
    const unitY = (l, j) => H / 2 + (j - (sizes[l] - 1) / 2) * spacing;
    state.layout = [];
    // the lines: W[l][i, j] from unit i of layer l-1 to unit j of layer l
    for (let l = 1; l < sizes.length; l++) {
      const key = state.gradients ? `dW${l}` : `W${l}`;
      const values = f.arrays[key] ? f.arrays[key].data : f.arrays[`W${l}`].data;
      let biggest = 1e-12;
      for (const v of values) biggest = Math.max(biggest, Math.abs(v));
      for (let i = 0; i < sizes[l - 1]; i++) {
        for (let j = 0; j < sizes[l]; j++) {
          const v = values[i * sizes[l] + j];
          const x0 = columnX(l - 1) + box / 2, y0 = unitY(l - 1, i), x1 = columnX(l) - box / 2, y1 = unitY(l, j);
          context.beginPath();
          context.moveTo(x0, y0);
          context.lineTo(x1, y1);
          context.strokeStyle = `rgba(${v >= 0 ? BLUE : ORANGE},${0.25 + 0.75 * Math.abs(v) / biggest})`;
          context.lineWidth = 0.5 + 4 * Math.abs(v) / biggest;
          context.stroke();
          state.layout.push({ kind: "weight", layer: l, source: i, unit: j, x0, y0, x1, y1 });
        }
      }
    }
    // the units: inputs by name, hidden units by their map, the output; dZ under each in gradient view
    for (let l = 0; l < sizes.length; l++) {
      const maps = f.arrays[`units${l}`], dZ = f.arrays[`dZ${l}`];
      const strip = maps ? unitStrip(maps) : null; // every unit's map, side by side, in one image
      let biggest = 1e-12;
      if (dZ) for (const v of dZ.data) biggest = Math.max(biggest, Math.abs(v));
      for (let j = 0; j < sizes[l]; j++) {
        const x = columnX(l) - box / 2, y = unitY(l, j) - box / 2;
        context.fillStyle = paper;
        context.fillRect(x, y, box, box);
        if (strip) context.drawImage(strip, j * maps.shape[1], 0, maps.shape[1], maps.shape[2], x, y, box, box);
        context.strokeStyle = ink;
        context.lineWidth = 1;
        context.strokeRect(x, y, box, box);
        context.fillStyle = ink;
        context.font = "10px system-ui";
        if (l === 0) context.fillText(state.points ? state.points.features[j] : `x${j + 1}`, x - 44, y + box / 2 + 3);
        if (state.gradients && dZ && l > 0) { // the batch's mean dZ: a bar by its size, coloured by its sign
          const v = dZ.data[j], height = Math.max(1, (box * Math.abs(v)) / biggest);
          context.fillStyle = v >= 0 ? `rgb(${BLUE})` : `rgb(${ORANGE})`;
          context.fillRect(x + box + 2, y + box - height, 4, height);
          if (spacing >= 34) { // its value beside it on the panel's colour: right of the bar, left of an output
            const label = `dZ ${v.toExponential(1)}`, width = context.measureText(label).width;
            const labelX = l === sizes.length - 1 ? x - width - 4 : x + box + 9, labelY = y + box / 2 + 3;
            context.fillStyle = paper;
            context.fillRect(labelX - 1, labelY - 9, width + 2, 12);
            context.fillStyle = ink;
            context.fillText(label, labelX, labelY);
          }
        }
        if (l > 0) state.layout.push({ kind: "unit", layer: l, unit: j, x, y, box });
      }
    }
  }

  function unitStrip(maps) {
    const [n, rows, columns] = maps.shape, image = new ImageData(columns * n, rows), pixels = image.data;
    for (let j = 0; j < n; j++) {
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < columns; c++) {
          const t = Math.tanh(maps.data[(j * rows + r) * columns + c]) * 0.5 + 0.5, at = 4 * (r * columns * n + j * columns + c);
          pixels[at] = ORANGE[0] + (BLUE[0] - ORANGE[0]) * t;
          pixels[at + 1] = ORANGE[1] + (BLUE[1] - ORANGE[1]) * t;
          pixels[at + 2] = ORANGE[2] + (BLUE[2] - ORANGE[2]) * t;
          pixels[at + 3] = 255;
        }
      }
    }
    const canvas = new OffscreenCanvas(columns * n, rows);
    canvas.getContext("2d").putImageData(image, 0, 0);
    return canvas;
  }

  function drawCurves() {
    const f = state.frame, canvas = ui.curves, context = canvas.getContext("2d");
    const { ink } = paletteOf(canvas);
    context.clearRect(0, 0, canvas.width, canvas.height);
    const points = f ? f.header.curves : [];
    if (points.length < 2) return;
    const xs = points.map((p) => p[0]), ys = points.flatMap((p) => [p[1], p[2]]).filter((v) => v !== null);
    const x0 = Math.min(...xs), x1 = Math.max(...xs), y1 = Math.max(...ys) * 1.05, y0 = 0;
    const px = (x) => 30 + ((x - x0) / (x1 - x0 || 1)) * (canvas.width - 40);
    const py = (y) => canvas.height - 15 - ((y - y0) / (y1 - y0 || 1)) * (canvas.height - 25);
    for (const [column, alpha] of [[1, 1], [2, 0.45]]) { // train in the ink, test fainter
      context.beginPath();
      points.forEach((p, i) => (i ? context.lineTo(px(p[0]), py(p[column])) : context.moveTo(px(p[0]), py(p[column]))));
      context.strokeStyle = ink;
      context.globalAlpha = alpha;
      context.lineWidth = 1.5;
      context.stroke();
    }
    context.globalAlpha = 1;
    context.fillStyle = ink;
    context.font = "10px system-ui";
    context.fillText(`loss (train solid, test faint); max ${y1.toFixed(3)}; epochs ${x0.toFixed(1)}–${x1.toFixed(1)}`, 30, 10);
  }

  function drawReadouts() {
    const h = state.frame.header;
    ui.epoch.textContent = String(h.epoch);
    ui["train-loss"].textContent = fmt(h.train_loss);
    ui["test-loss"].textContent = fmt(h.test_loss);
    ui.metricLabel.textContent = h.metric_name === "r2" ? "test R² " : "test accuracy ";
    ui.accuracy.textContent = fmt(h.test_metric, 3);
    ui.fps.textContent = state.fps.toFixed(1);
    const rows = h.confusion || [];
    ui.confusion.replaceChildren(...(rows.length ? [element("tr", {}, element("td", { textContent: "true \\ predicted" }),
      ...rows.map((_, j) => element("td", { textContent: state.points ? String(state.points.classes[j]) : j })))] : []),
    ...rows.map((row, i) => element("tr", {}, element("td", { textContent: state.points ? String(state.points.classes[i]) : i }),
      ...row.map((count) => element("td", { textContent: count })))));
  }

  function draw() {
    if (!state.frame) return;
    drawHeatmap();
    drawNetwork();
    drawCurves();
    drawReadouts();
  }

  function showGlassbox(view) {
    const rows = view.values.map((v) => element("tr", {},
      element("td", {}, element("code", { textContent: v.name })),
      element("td", {}, element("code", { textContent: v.formula }), v.note ? element("div", { textContent: v.note }) : ""),
      element("td", { textContent: "value" in v ? fmt(v.value, 6) : `mean ${fmt(v.mean)}; first rows ${v.rows.map((x) => fmt(x)).join(", ")} (m = ${v.m})` })));
    const title = view.kind === "unit" ? `unit ${view.unit} of layer ${view.layer}` : `weight W${view.layer}[${view.source}, ${view.unit}]`;
    ui.glassbox.replaceChildren(element("b", { textContent: title }), element("table", {}, ...rows));
  }

  // ---- the pointer: hover a unit, click a unit or a weight, click the heatmap to add a point ----

  function near(event) {
    const rect = ui.network.getBoundingClientRect();
    const x = ((event.clientX - rect.left) * ui.network.width) / rect.width, y = ((event.clientY - rect.top) * ui.network.height) / rect.height;
    const unit = state.layout.find((u) => u.kind === "unit" && x >= u.x && x <= u.x + u.box && y >= u.y && y <= u.y + u.box);
    if (unit) return unit;
    let best = null, bestDistance = 5;
    for (const w of state.layout) {
      if (w.kind !== "weight") continue;
      const dx = w.x1 - w.x0, dy = w.y1 - w.y0, t = Math.max(0, Math.min(1, ((x - w.x0) * dx + (y - w.y0) * dy) / (dx * dx + dy * dy)));
      const distance = Math.hypot(x - (w.x0 + t * dx), y - (w.y0 + t * dy));
      if (distance < bestDistance) { best = w; bestDistance = distance; }
    }
    return best;
  }
  ui.network.addEventListener("mousemove", (event) => {
    const target = near(event);
    const hover = target && target.kind === "unit" && target.layer < state.frame.header.layer_sizes.length - 1 ? target : null;
    if ((hover && hover.unit) !== (state.hover && state.hover.unit) || (hover && hover.layer) !== (state.hover && state.hover.layer)) {
      state.hover = hover;
      drawHeatmap();
    }
  });
  ui.network.addEventListener("mouseleave", () => { state.hover = null; drawHeatmap(); });
  ui.network.addEventListener("click", (event) => {
    const target = near(event);
    if (target) send({ type: "inspect", layer: target.layer, unit: target.unit, source: target.kind === "unit" ? -1 : target.source });
  });
  ui.heatmap.addEventListener("click", (event) => {
    const p = state.points;
    if (!p) return;
    const rect = ui.heatmap.getBoundingClientRect(), [x1a, x1b, x2a, x2b] = p.domain;
    const x1 = x1a + ((event.clientX - rect.left) / rect.width) * (x1b - x1a);
    const x2 = x2b - ((event.clientY - rect.top) / rect.height) * (x2b - x2a);
    const label = Number(el.querySelector("[data-testid=click-class]").value);
    state.setup.added = [...state.setup.added, [x1, x2, label]];
    onHash(setupToHash(state.setup, state.hidden));
    send({ type: "add_point", x1, x2, label });
  });

  // ---- messages from the server ----

  transport.onMessage((data) => {
    if (typeof data !== "string") {
      const { header, arrays } = decodeFrame(data);
      if (header.type === "points") {
        const y = arrays.y.data;
        state.points = { ...header, P: arrays.points.data, y: Array.from(y), part: arrays.part.data, n: y.length,
          low: Math.min(...y), high: Math.max(...y) };
        return;
      }
      state.frame = { header, arrays };
      state.drawn += 1;
      state.frames += 1;
      const now = performance.now();
      if (now - state.fpsStart > 1000) { state.fps = (1000 * state.drawn) / (now - state.fpsStart); state.drawn = 0; state.fpsStart = now; }
      requestAnimationFrame(() => { draw(); send({ type: "ack" }); });
      if (header.playing) message("");
      return;
    }
    const reply = JSON.parse(data);
    if (reply.type === "hello") {
      state.session = reply.session;
      state.defaults = reply.defaults;
      state.choices = reply.choices;
      ({ setup: state.setup, hidden: state.hidden } = hashToSetup(hash, reply.defaults));
      buildControls();
      sendSetup();
    } else if (reply.type === "upload") {
      if (state.setup.data === "csv" && state.setup.csv_target) { state.columns = reply.columns; buildControls(); sendSetup(); }
      else useColumns(reply.columns);
    } else if (reply.type === "error") {
      message(`${reply.message}${reply.hint ? ` (${reply.hint})` : ""}`);
    } else if (reply.type === "diverged") {
      message(`${reply.message}: ${reply.hint}`);
    } else if (reply.type === "glassbox") {
      showGlassbox(reply);
    }
  });
  return { state, send };
}

/** The page: connect to /ws and keep the setup in the URL hash. */
function boot() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const transport = websocketTransport(`${scheme}://${location.host}/ws`);
  const playground = render({
    transport, el: document.getElementById("playground"), hash: location.hash,
    onHash: (hash) => history.replaceState(null, "", hash),
  });
  globalThis.glassnetPlayground = playground; // for the browser tests and the curious
  addEventListener("hashchange", () => location.reload()); // a link pasted over this one: its setup
}

if (typeof document !== "undefined" && document.body && "playgroundPage" in document.body.dataset) boot();

/** A notebook widget's transport: anywidget's model, JSON in `content.text`, frames as buffers. */
export function modelTransport(model) {
  return {
    send(message) { model.send(message); },
    onMessage(callback) {
      model.on("msg:custom", (content, buffers) => {
        if (!content.binary) return callback(content.text);
        const view = buffers[0]; // a DataView (or an ArrayBuffer from a stub)
        callback(view instanceof ArrayBuffer ? view : view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
      });
    },
  };
}

/** The anywidget entry (glassnet.Playground): the same core, talking to the kernel. */
function renderWidget({ model, el }) {
  el.classList.add("gn-widget");
  const playground = render({ transport: modelTransport(model), el });
  model.send({ type: "connect" }); // the kernel answers with hello: the setup it holds
  el.glassnetPlayground = playground; // for the browser tests
  return () => el.replaceChildren();
}

export default { render: renderWidget };
