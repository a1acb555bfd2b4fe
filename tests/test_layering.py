"""The architecture as a test: one-way imports, stdlib only, __all__ everywhere.

LAYERS lists purenn's modules bottom to top; a module may import only modules listed before
it.  A new module must be placed here, which is the point: its place in the order is a decision.
A module inside a subpackage is listed by its dotted name ("plot.svg"), and the subpackage's
``__init__`` by the subpackage's name ("plot"), after the modules it gathers.  Importing a
subpackage ("from purenn.plot import x") depends on its ``__init__``.
"""

import ast
import importlib
import pathlib
import subprocess
import sys

import pytest
from oracles import require_native

import purenn as pn

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "purenn"

LAYERS = [
    "version", "errors", "arguments", "kernels", "scalar", "progress",
    "matrix", "encoding", "registry",
    "activations.base", "activations.classic", "activations.extended", "activations.softmax",
    "activations", "losses", "sequence_loss", "initializers",
    "layers.parameters", "layers.base", "layers.dense", "layers.im2col", "layers.conv",
    "layers.pooling", "layers.flatten", "layers.dropout", "layers.batchnorm",
    "layers.normalization", "layers.positionwise", "layers.embedding", "layers.norm",
    "layers.attention", "layers.residual", "layers.chain", "layers",
    "optimizers.base", "optimizers.clipping", "optimizers.sgd", "optimizers.adam", "optimizers",
    "schedules", "callbacks", "metrics", "fit_options", "training", "state",
    "inference", "network",
    "compiled.kernels", "compiled.checks", "compiled.straightline", "compiled.run", "compiled",
    "models.gpt", "models.names", "models.recipe", "models.sampling", "models",
    "formats.checks", "formats.files", "formats.names", "formats.limits", "formats.support",
    "formats.architecture",
    "formats.savefile", "formats.npy", "formats.npz", "formats.protobuf", "formats.onnxgraph",
    "formats.onnx", "formats.literals", "formats.pysource",
    "formats.standalone", "formats",
    "gradient_checking.numerical", "gradient_checking.report", "gradient_checking.checker",
    "gradient_checking.sweep", "gradient_checking.planted",
    "gradient_checking", "datasets",
    "plot.svg", "plot.colors", "plot.ticks", "plot.scales", "plot.checks", "plot.axes",
    "plot.lines", "plot.raster", "plot.history", "plot.stepsweep", "plot.diagram_layout",
    "plot.diagram", "plot.boundary", "plot.images", "plot.confusion",
    "plot",
    "cli.options", "cli.failures", "cli.outputs", "cli.csvfile", "cli.targets", "cli.data",
    "cli.sidecar", "cli.scores", "cli.architecture", "cli.seednets", "cli.plots",
    "cli.demo", "cli.gradcheck", "cli.train", "cli.predict", "cli.evaluate", "cli.export",
    "playground.session", "playground", "cli.playground",
    "cli", "tabular", "__main__", "__init__",
]



def module_name(path):
    """"network" for purenn/network.py, "plot.svg" for purenn/plot/svg.py, "plot" for
    purenn/plot/__init__.py (the package's own __init__ stays "__init__")."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


PATHS = {module_name(path): path for path in PACKAGE.rglob("*.py")}
MODULES = sorted(PATHS)

# sys.stdlib_module_names exists from 3.10; on older interpreters the run on 3.10+ covers it.
STDLIB = getattr(sys, "stdlib_module_names", None)


def imports_of(module):
    tree = ast.parse(PATHS[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node, node.module or ""


def resolve(name):
    """The listed module that ``import purenn.<name>`` (or from it) depends on."""
    while name and name not in PATHS:
        name = name.rpartition(".")[0]
    return name


def purenn_dependencies(module):
    found = set()
    for node, name in imports_of(module):
        if isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{module}: relative import; write purenn.… in full")
        if name == "purenn" and isinstance(node, ast.ImportFrom):
            found.update(resolve(alias.name) for alias in node.names)
        elif name.startswith("purenn."):
            dotted = name.split(".", 1)[1]
            if isinstance(node, ast.ImportFrom):
                # "from purenn.plot import svg" may name a module of the subpackage
                found.update(resolve(f"{dotted}.{alias.name}") for alias in node.names)
            else:
                found.add(resolve(dotted))
    return found - {module}


def test_every_module_has_a_place_in_the_order():
    assert set(MODULES) <= set(LAYERS), set(MODULES) - set(LAYERS)


@pytest.mark.parametrize("module", MODULES)
def test_imports_flow_downward_only(module):
    position = LAYERS.index(module)
    for dependency in purenn_dependencies(module):
        assert LAYERS.index(dependency) < position, f"{module} imports {dependency} from above"


@pytest.mark.parametrize("module", MODULES)
def test_only_the_standard_library_and_no_star_imports(module):
    for node, name in imports_of(module):
        top = name.split(".")[0]
        if STDLIB is not None:
            assert top in STDLIB or top in ("purenn", "__future__"), f"{module} imports {name}"
        if isinstance(node, ast.ImportFrom):
            assert all(alias.name != "*" for alias in node.names), f"{module}: star import"


@pytest.mark.parametrize("module", MODULES)
def test_imports_are_at_module_level(module):
    tree = ast.parse(PATHS[module].read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                assert not isinstance(node, (ast.Import, ast.ImportFrom)), (
                    f"{module}.{function.name} imports at run time"
                )


# The two exceptions to "no imports at run time", both with importlib.import_module, so this
# test looks for that call (and __import__) everywhere else: purenn/__init__.py's module
# __getattr__ (PEP 562) imports the tools (data sets, pictures, formats, the gradient checker)
# when they are first asked for, because training a network needs none of them
# (benchmarks/bench_import.py); inference.compiled_package imports purenn.compiled on the first
# compile=True, because the reference path must never import it.
LAZY_IMPORTERS = {("__init__", "__getattr__"), ("inference", "compiled_package")}


def dynamic_imports(module):
    """(function name, call) for every importlib.import_module or __import__ call."""
    tree = ast.parse(PATHS[module].read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and ast.unparse(node.func) in (
                    "importlib.import_module", "__import__"
                ):
                    yield function.name, node


@pytest.mark.skipif(sys.version_info < (3, 9), reason="ast.unparse is 3.9+")
@pytest.mark.parametrize("module", MODULES)
def test_only_the_package_getattr_imports_at_run_time(module):
    for function, _ in dynamic_imports(module):
        assert (module, function) in LAZY_IMPORTERS, f"{module}.{function} imports at run time"


LAZY_MODULES = ("datasets", "plot", "formats")


def test_the_lazy_modules_load_on_first_use_only():
    require_native("start processes")
    lazy = tuple(f"purenn.{name}" for name in LAZY_MODULES)
    code = (
        "import sys, purenn as pn\n"
        f"print(sorted(m for m in {lazy!r} if m in sys.modules))\n"
        "print(pn.datasets.__name__, pn.plot.__name__, 'plot' in dir(pn), 'save' in dir(pn))\n"
        "from purenn import plot, save, Conv2D, BatchNorm\n"
        "print(plot is pn.plot, save is pn.formats.save, Conv2D is pn.layers.Conv2D,"
        " BatchNorm.__module__, 'MaxPool2D' in dir(pn))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=PACKAGE.parent,
    )
    assert result.stdout.split("\n")[:3] == [
        "[]", "purenn.datasets purenn.plot True True",
        "True True True purenn.layers.batchnorm True",
    ]


# Standard modules that would cost `import purenn` more than they give the core: dataclasses
# loads inspect, 7 ms of the 30 ms budget together (CPython 3.11); the tools may use them.
EXPENSIVE_STANDARD_MODULES = ("dataclasses", "inspect")


def test_import_purenn_loads_no_expensive_standard_module():
    require_native("start processes")
    code = (
        "import sys\nbefore = set(sys.modules)\nimport purenn\n"
        f"print(sorted(m for m in {EXPENSIVE_STANDARD_MODULES!r}"
        " if m in sys.modules and m not in before))\n"
        "import purenn.tabular\n"  # negative control: a tool that uses dataclasses
        "print('dataclasses' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=PACKAGE.parent,
    )
    assert result.stdout.split("\n")[:2] == ["[]", "True"]


def test_every_lazy_name_is_what_its_module_defines():
    # After an import of the module itself (not through the package), the package's name must
    # still give the module's object.
    for name, module in pn._LAZY_NAMES.items():
        assert getattr(pn, name) is getattr(importlib.import_module(f"purenn.{module}"), name)
        assert name in pn.__all__ and name in dir(pn)
    for module in pn._LAZY_MODULES:
        assert getattr(pn, module) is importlib.import_module(f"purenn.{module}")


@pytest.mark.parametrize("module", [m for m in MODULES if m != "__main__"])
def test_every_module_declares_all_and_every_public_name_has_a_docstring(module):
    tree = ast.parse(PATHS[module].read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{module} has no module docstring"
    exported = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            exported = ast.literal_eval(node.value)
    assert exported is not None, f"{module} has no __all__"
    for node in public_definitions(tree.body):
        assert ast.get_docstring(node), f"{module}.{node.name} has no docstring"


def is_overload_or_setter(node):
    decorators = node.decorator_list
    names = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", "") for d in decorators}
    return bool(names & {"overload", "setter"})


def public_definitions(body):
    """Module-level and class-level functions and classes (not nested helpers), minus @overload
    stubs and property setters, which share the docstring of what they belong to."""
    for node in body:
        if isinstance(node, ast.If):  # version-guarded definitions
            yield from public_definitions(node.body + node.orelse)
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.name.startswith("_"):
            continue
        if isinstance(node, ast.FunctionDef) and is_overload_or_setter(node):
            continue
        yield node
        if isinstance(node, ast.ClassDef):
            yield from public_definitions(node.body)
