// The test suite inside Pyodide (CPython compiled to WebAssembly) under node, offline.
//
//   node .ci/pyodide_suite.mjs --pyodide DIR --site DIR --repo DIR [--determinism FILE]
//                              [-- PYTEST ARGS…]
//
// --pyodide  the npm package `pyodide` (its folder holds the WebAssembly interpreter and the
//            standard library; nothing is downloaded, so no network is needed)
// --site     a folder of unpacked pure-Python packages: purenn from the wheel under test, and
//            pytest, hypothesis and their dependencies (.ci/pyodide_site.py makes it)
// --repo     the repository (its tests/, and the README and examples the tests read)
// --determinism  after the suite, .ci/determinism.py writes this interpreter's record there
//            (label "pyodide"), for .ci/compare_determinism.py
//
// Both folders are mounted into Pyodide's file system (NODEFS), the site folder goes first on
// sys.path, and pytest runs with the repository's configuration on the installed purenn (its
// docstring examples) and on tests/, from a folder outside the repository, so that the source
// tree's purenn/ cannot shadow the installed one.
// The exit status is pytest's.  Pyodide's own `loadPackage` is never used: it downloads.
import { parseArgs } from "node:util";
import { mkdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const { values, positionals } = parseArgs({
  options: {
    pyodide: { type: "string" },
    site: { type: "string" },
    repo: { type: "string" },
    determinism: { type: "string" },
  },
  allowPositionals: true,
});
for (const name of ["pyodide", "site", "repo"]) {
  if (!values[name]) {
    console.error(`pyodide_suite: --${name} is required`);
    process.exit(2);
  }
}
const pyodideDir = resolve(values.pyodide);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);

const started = Date.now();
const pyodide = await loadPyodide({
  indexURL: pyodideDir + "/",
  // Environment variables the suite reads (its hypothesis profile, required oracles).
  env: {
    HOME: "/home/pyodide",
    HYPOTHESIS_PROFILE: process.env.HYPOTHESIS_PROFILE ?? "quick",
    PURENN_REQUIRE: process.env.PURENN_REQUIRE ?? "",
  },
});
// Raw writes, so that pytest's progress dots stay on one line.
pyodide.setStdout({ write: (bytes) => { process.stdout.write(bytes); return bytes.length; } });
pyodide.setStderr({ write: (bytes) => { process.stderr.write(bytes); return bytes.length; } });
pyodide.mountNodeFS("/site", resolve(values.site));
pyodide.mountNodeFS("/repo", resolve(values.repo));
pyodide.globals.set("pytest_args", positionals);

const status = await pyodide.runPythonAsync(`
import os, sys
sys.path.insert(0, "/site")
import platform
import pytest
import purenn
print(f"Pyodide {sys.version.split()[0]} ({platform.python_implementation()}, {sys.platform})")
os.chdir("/tmp")
int(pytest.main(["-p", "no:cacheprovider", "-c", "/repo/pyproject.toml", "--rootdir", "/repo",
                 os.path.dirname(purenn.__file__), "/repo/tests", *pytest_args.to_py()]))
`);
if (status === 0 && values.determinism) {
  const record = resolve(values.determinism);
  mkdirSync(dirname(record), { recursive: true });
  pyodide.mountNodeFS("/determinism", dirname(record));
  await pyodide.runPythonAsync(`
import runpy, sys
sys.argv = ["determinism.py", "--label", "pyodide", "--out", "/determinism/${basename(record)}"]
try:
    runpy.run_path("/repo/.ci/determinism.py", run_name="__main__")
except SystemExit as stop:  # its main() ends with sys.exit; in Pyodide that would throw into JS
    if stop.code not in (None, 0):
        raise
`);
}
console.log(`pyodide_suite: pytest exited with ${status} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(status);
