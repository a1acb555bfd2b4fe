"""Shared by the persistence and export tests: generated architectures, exact comparison, oracles.

The oracles (numpy, torch, onnx, onnxruntime, MicroPython) are found by one small function each,
which skips the calling test with the reason when the oracle is missing.  CI's oracle policy
(tests/oracles.py: ``require(name)``, a skip that fails where PURENN_REQUIRE lists the name)
replaces each body by one call.

MicroPython is looked up, in order: the PURENN_MICROPYTHON environment variable (the path of a
``micropython`` executable, or of ``micropython.mjs`` from the npm package
``@micropython/micropython-webassembly-pyscript``, run with node); ``.oracles/node_modules/…``
in the repository (``npm install --prefix .oracles
@micropython/micropython-webassembly-pyscript``); a ``micropython`` on PATH.
"""

import os
import pathlib
import shutil
import subprocess
from typing import Any, List

from hypothesis import strategies as st
from oracles import require, require_program, skip_if_omitted, unavailable

import purenn as pn
from purenn.activations import ACTIVATIONS
from purenn.initializers import INITIALIZERS
from purenn.losses import LOSSES
from purenn.state import STATE_NAMES

ROOT = pathlib.Path(__file__).resolve().parent.parent
MICROPYTHON_VARIABLE = "PURENN_MICROPYTHON"
MICROPYTHON_PACKAGE = "@micropython/micropython-webassembly-pyscript"
MICROPYTHON_MJS = ROOT / ".oracles" / "node_modules" / MICROPYTHON_PACKAGE / "micropython.mjs"


# -- exact comparison ---------------------------------------------------------------------------


def bits(value: Any) -> Any:
    """Nested lists with every float replaced by its exact text (float.hex tells −0.0 from 0.0
    and compares NaN equal to NaN): two values have equal ``bits`` iff they are bit-identical."""
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, dict):
        return {key: bits(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [bits(item) for item in value]
    return value


def assert_declared_shapes_are_the_state(network: pn.Network) -> None:
    """Each layer that declares its state shapes (``state_shapes(config)``) declares exactly the
    shapes of its entries in ``network.state_dict()``, under the network's names for them."""
    state = network.state_dict()
    for index, layer in enumerate(network.layers):
        declared = type(layer).state_shapes(layer.config())
        if declared is None:
            continue
        prefix = f"layers.{index}."
        held = {key[len(prefix):]: (len(value), len(value[0]))
                for key, value in state.items() if key.startswith(prefix)}
        names = STATE_NAMES
        assert {names.get(name, name): shape for name, shape in declared.items()} == held


# -- generated architectures ----------------------------------------------------------------------

WEIGHTS = st.one_of(
    st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308]),
)

ACTIVATION_SPECS = st.one_of(
    st.sampled_from(sorted(ACTIVATIONS)),
    st.builds(pn.LeakyReLU, st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)),
    st.builds(pn.ELU, st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)),
)

INITIALIZER_SPECS = st.one_of(
    st.sampled_from(sorted(INITIALIZERS)),
    st.builds(pn.Uniform, st.just(-0.5), st.floats(min_value=-0.25, max_value=3.0)),
    st.builds(pn.Normal, st.floats(min_value=-1.0, max_value=1.0),
              st.floats(min_value=0.01, max_value=2.0)),
)


@st.composite
def networks(
    draw: Any, max_layers: int = 3, max_width: int = 4, weights: Any = WEIGHTS
) -> pn.Network:
    """A network of 1..max_layers Dense layers of widths 1..max_width, each with any registered
    or parametrised activation and initializer, with or without bias, any loss that accepts
    its last layer, and every parameter drawn from ``weights``."""
    depth = draw(st.integers(1, max_layers))
    widths = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    layers = [
        pn.Dense(n_in, n_out, draw(ACTIVATION_SPECS), bias=draw(st.booleans()),
                 init=draw(INITIALIZER_SPECS))
        for n_in, n_out in zip(widths, widths[1:])
    ]
    low, high = layers[-1].output_range()
    losses = [name for name in sorted(LOSSES) if name != "sequence_cross_entropy"  # sequences
              if LOSSES[name].output_range[0] <= low and high <= LOSSES[name].output_range[1]]
    network = pn.Network(layers, loss=draw(st.sampled_from(losses)), seed=draw(st.integers(0, 9)))
    for parameter in network.parameters():
        rows, columns = parameter.shape
        row = st.lists(weights, min_size=columns, max_size=columns)
        parameter.value = draw(st.lists(row, min_size=rows, max_size=rows))
    return network


def every_activation() -> List[Any]:
    """Every registered activation by name, and the parametrised ones with other parameters."""
    return [*sorted(ACTIVATIONS), pn.LeakyReLU(0.2), pn.ELU(0.5)]


# -- oracles -------------------------------------------------------------------------------------


def require_numpy() -> Any:
    """numpy, or skip (fail where PURENN_REQUIRE names it)."""
    return require("numpy")


def require_torch() -> Any:
    """torch, or skip (fail where PURENN_REQUIRE names it)."""
    return require("torch")


def require_onnx() -> Any:
    """onnx (the checker), or skip (fail where PURENN_REQUIRE names it)."""
    return require("onnx")


def require_onnxruntime() -> Any:
    """onnxruntime, or skip (fail where PURENN_REQUIRE names it)."""
    return require("onnxruntime")


def micropython_command() -> List[str]:
    """The command that runs a MicroPython script given as its last argument, or skip."""
    skip_if_omitted("micropython")
    configured = os.environ.get(MICROPYTHON_VARIABLE)
    candidates = [pathlib.Path(configured)] if configured else [MICROPYTHON_MJS]
    for candidate in candidates:
        if candidate.suffix == ".mjs" and candidate.is_file():
            node = require_program("node")
            return [node, str(candidate), "-X", "heapsize=64M"]
        if candidate.is_file():
            return [str(candidate), "-X", "heapsize=64M"]
    native = shutil.which("micropython")
    if native is not None:
        return [native, "-X", "heapsize=64M"]
    unavailable(
        "micropython",
        f"set {MICROPYTHON_VARIABLE}, or run npm install --prefix .oracles "
        f"{MICROPYTHON_PACKAGE}, or put micropython on PATH",
    )


def run_micropython(script: str, tmp_path: pathlib.Path) -> str:
    """The standard output of ``script`` run by MicroPython; fails the test on an error (the
    node runner reports Python errors on stderr and still exits 0, so the script must print
    'DONE' last)."""
    path = tmp_path / "script.py"
    path.write_text(script + "\nprint('DONE')\n", encoding="utf-8")
    result = subprocess.run([*micropython_command(), str(path)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0 and result.stdout.rstrip().endswith("DONE"), (
        f"MicroPython failed (exit {result.returncode}):\n{result.stderr[-3000:]}"
    )
    return result.stdout


def image_network(activation: Any = "relu", bias: bool = True, seed: int = 0) -> pn.Network:
    """Every image layer, with unequal sizes, padding and strides; ``bias`` on the first
    convolution and not on the second, or the other way round."""
    return pn.Network([
        pn.Conv2D(2, 3, (3, 2), padding=(1, 0), activation=activation, bias=bias,
                  input_shape=(2, 7, 6)),
        pn.MaxPool2D(2, stride=(2, 1)),
        pn.Conv2D(3, 2, 2, stride=(1, 2), activation=activation, bias=not bias),
        pn.AvgPool2D((2, 1)),
        pn.Flatten(),
        pn.Dense(4, 3, activation),
    ], seed=seed)
