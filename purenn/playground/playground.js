// The playground page: load Pyodide, copy purenn's source files into its file system, then
// drive purenn.playground.session.Session.  Training runs a chunk of epochs at a time and gives
// the browser back control between chunks, so the page redraws and never freezes.
const $ = (id) => document.getElementById(id);
const status = (text) => { $("status").textContent = text; };
const CHUNK_SECONDS = 0.15; // how long one chunk of training may hold the page

async function start() {
  const config = await (await fetch("config.json")).json();
  const { loadPyodide } = await import(config.pyodide + "pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL: config.pyodide });
  const files = await (await fetch("purenn/files.json")).json();
  for (const path of files) {
    const bytes = new Uint8Array(await (await fetch("purenn/" + path)).arrayBuffer());
    const target = "/home/pyodide/purenn/" + path;
    pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
    pyodide.FS.writeFile(target, bytes);
  }
  pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide')");
  const module = pyodide.pyimport("purenn.playground.session");
  const version = pyodide.runPython("import sys; sys.version.split()[0]");
  const methods = module.METHODS.toJs();
  return { pyodide, Session: module.Session, methods, version };
}

function options() {
  const hidden = $("hidden").value.split(/[-,\s]+/).filter(Boolean).map(Number);
  return {
    dataset: $("dataset").value, hidden, activation: $("activation").value,
    optimizer: $("optimizer").value, rate: Number($("rate").value),
    epochs: Math.floor(Number($("epochs").value)),
  };
}

function show(result) {
  $("loss").innerHTML = result.loss_svg;
  $("picture").innerHTML = result.picture_svg;
  const rows = result.predictions;
  $("predictions").textContent = rows
    .map((row, i) => `row ${i}: ${row.map((v) => v.toFixed(4)).join("  ")}`).join("\n");
  // The exact values, for anyone (and the browser test) to compare with native purenn.
  $("predictions").dataset.exact = JSON.stringify(rows);
}

const toObject = (proxy) => {
  const value = proxy.toJs({ dict_converter: Object.fromEntries });
  proxy.destroy();
  return value;
};

async function train(app, state) {
  const o = options();
  if (state.session) state.session.destroy();
  state.session = app.Session.callKwargs({
    dataset: o.dataset, hidden: app.pyodide.toPy(o.hidden), activation: o.activation,
    optimizer: o.optimizer, learning_rate: o.rate, seed: 0,
  });
  $("picture-title").textContent = o.dataset === "seed" ? "The network" : "Decision boundary";
  $("check-table").textContent = "";
  $("sweep").innerHTML = "";
  let done = 0;
  let chunk = 10;
  let result = null;
  while (done < o.epochs) {
    const n = Math.min(chunk, o.epochs - done);
    const began = performance.now();
    result = toObject(state.session.train(n));
    const seconds = (performance.now() - began) / 1000;
    done += n;
    if (done === n) $("status").dataset.firstLoss = String(result.loss);
    $("status").dataset.loss = String(result.loss);
    show(result);
    status(`epoch ${result.epoch} of ${o.epochs}: loss ${result.loss.toPrecision(6)}`);
    chunk = Math.max(1, Math.round(n * CHUNK_SECONDS / Math.max(seconds, 1e-3)));
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the browser draw
  }
  $("picture").innerHTML = state.session.picture(100);
  status(`trained ${result.epoch} epochs: final loss ${result.loss.toPrecision(6)}`);
  $("status").dataset.done = "trained";
}

async function check(app, state) {
  status("checking the gradients…");
  const result = toObject(state.session.check());
  $("check-table").textContent = result.table;
  // The sweep is many checks: one method at a time, the browser drawing in between.
  for (const method of app.methods) {
    status(`gradient check ${result.ok ? "PASSED" : "FAILED"}; sweeping ${method}…`);
    await new Promise((resolve) => setTimeout(resolve, 0));
    $("sweep").innerHTML = state.session.sweep_method(method);
  }
  status(`gradient check ${result.ok ? "PASSED" : "FAILED"}`);
  $("status").dataset.done = result.ok ? "check passed" : "check failed";
}

const busy = (flag) => { $("train").disabled = flag; $("check").disabled = flag; };

start().then((app) => {
  const state = { session: null };
  status(`ready: Python ${app.version} in WebAssembly, purenn loaded`);
  $("status").dataset.done = "ready";
  $("train").disabled = false;
  $("controls").addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(true);
    try { await train(app, state); } catch (error) { status(`error: ${error.message}`); }
    busy(false);
  });
  $("check").addEventListener("click", async () => {
    if (!state.session) return;
    busy(true);
    try { await check(app, state); } catch (error) { status(`error: ${error.message}`); }
    busy(false);
  });
}, (error) => status(`could not start: ${error.message}`));
