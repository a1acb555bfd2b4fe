"""Gradient checks of BatchNorm: γ, β and the input gradient (through a parameter below the
layer) by central differences and the complex step, for vectors and images, in training mode
(the batch statistics of the checked batch) and in evaluation mode (the running statistics);
what the checker leaves behind; and the classic bug, the mean-of-gradient term left out."""

import contextlib
import io
import pathlib
import random
import re

import pytest
from batchnorm_cases import BatchNormWithoutMeanOfGradient, norm_cases, norm_network
from budget import examples
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import matrices

import purenn as pn
from purenn.layers.batchnorm import by_channel, channel_statistics

METHODS = ["complex", "central"]
EXAMPLES = 25
COARSE_REL_ERR = 1e-2  # only a plainly wrong gradient breaks this
# Below this batch variance a channel's x̂ bends on the scale √(σ² + ε) of its input, and the
# truncation error h²·L‴/6 of central differences grows as (σ² + ε)^(−3/2): at σ² = 0 it
# reaches 1e-4 (test_central_differences_mislead_on_a_channel_without_spread).  At σ² ≥ 1e-2
# it is below 1e-7.
CENTRAL_MIN_VARIANCE = 1e-2


def smallest_variance(network, x):
    """The smallest batch variance among the channels entering the BatchNorm (layers[1])."""
    norm = network.layers[1]
    channels = by_channel(network.layers[0].forward(x), norm.num_features, norm.positions)
    return min(channel_statistics(values)[1] / len(values) for values in channels)


def drawn_network(case, data, activation, momentum=0.1):
    norm = pn.BatchNorm(case.channels, activation, momentum=momentum)
    network = norm_network(case.shape, norm)
    for parameter in network.parameters():
        parameter.value = data.draw(matrices(*parameter.shape))
    for buffer in network.buffers()[:2]:  # running statistics as if after some training
        buffer.value = data.draw(matrices(1, case.channels, st.floats(0.1, 2.0)))
    return network, data.draw(matrices(len(case.x), network.n_out))


def assert_passes(result):
    assert result.max_rel_err <= COARSE_REL_ERR, f"gradient plainly wrong:\n{result}"
    assert result.ok, str(result)


@pytest.mark.parametrize("training", [True, False], ids=["training", "evaluation"])
@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=examples(EXAMPLES))
@given(case=norm_cases(), activation=st.sampled_from(["identity", "tanh", "relu"]),
       data=st.data())
def test_batchnorm_gradients_of_gamma_beta_and_input(training, method, case, activation, data):
    network, y = drawn_network(case, data, activation)
    network.train(training)
    if method == "central" and training:
        assume(smallest_variance(network, case.x) >= CENTRAL_MIN_VARIANCE)
    result = pn.gradcheck(network, case.x, y, method)
    assert_passes(result)
    names = {row.name for row in result.parameters if row.n_checked}
    # The input gradient reaches layers[0]; γ and β are layers[1]'s.
    assert {"layers[1].gamma", "layers[1].beta"} <= names or activation == "relu"
    assert "layers[0].weights" in names or activation == "relu"


@pytest.mark.parametrize("image", [False, True], ids=["dense", "conv"])
@pytest.mark.parametrize("method", METHODS)
def test_a_fixed_case_checks_every_entry(image, method):
    shape = (3, 2, 2) if image else (3,)
    network = norm_network(shape, pn.BatchNorm(3, "tanh"))
    rng = random.Random(1)
    for parameter in network.parameters():
        parameter.value = [[rng.uniform(-1.0, 1.0) for _ in row] for row in parameter.value]
    x = [[rng.uniform(-1.0, 1.0) for _ in range(network.n_in)] for _ in range(3)]
    y = [[rng.uniform(-1.0, 1.0) for _ in range(2)] for _ in range(3)]
    result = pn.gradcheck(network, x, y, method)
    assert result.ok and result.n_skipped == 0, str(result)
    assert result.n_checked == sum(p.shape[0] * p.shape[1] for p in network.parameters())
    if method == "complex":
        assert result.max_rel_err < 1e-12, str(result)


def test_central_differences_mislead_on_a_channel_without_spread():
    # Zero weights into the BatchNorm make its input one constant per channel: σ² = 0, x̂ = 0.
    # The derivative of the loss in a weight w of that channel is then γ/√ε·Σ (g − mean g)·…,
    # exact in backprop and in the complex step, but the loss bends on the scale √ε ≈ 3e-3 in w
    # and central differences at h = 6e-6 carry a truncation error h²·L‴/6 of ~1e-4.
    network = norm_network((2,), pn.BatchNorm(2, "tanh"))
    network.layers[0].weights.value = [[0.0, 0.0], [0.0, 0.0]]
    network.layers[1].beta.value = [[0.5, 1.0]]
    x, y = [[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    assert smallest_variance(network, x) == 0.0
    assert pn.gradcheck(network, x, y, "complex").ok
    central = pn.gradcheck(network, x, y, "central")
    assert not central.ok and {e.parameter for e in central.failures} == {"layers[0].weights"}
    # A smaller step shrinks the truncation error (∝ h²) below the tolerance.
    assert pn.gradcheck(network, x, y, "central", eps=1e-8).ok


# -- what the checker leaves ------------------------------------------------------------------


def test_a_check_leaves_generator_buffers_and_mode_as_it_found_them():
    network = norm_network((2, 3, 3), pn.BatchNorm(2, "relu"))
    rng = random.Random(2)
    x = [[rng.uniform(-1.0, 1.0) for _ in range(18)] for _ in range(2)]
    y = [[0.5, -0.5], [1.0, 0.0]]
    network.gradients(x, y)  # one training pass: running statistics away from their start
    state = network.rng.getstate()
    buffers = [[row[:] for row in buffer.value] for buffer in network.buffers()]
    first = pn.gradcheck(network, x, y, "complex")
    assert network.rng.getstate() == state and network.training
    assert [buffer.value for buffer in network.buffers()] == buffers
    assert all(isinstance(v, float) for b in network.buffers() for row in b.value for v in row)
    # The loss was the same function of the parameters all along: a second check agrees exactly.
    second = pn.gradcheck(network, x, y, "complex")
    assert [(e.analytic, e.numeric) for e in first.entries] == [
        (e.analytic, e.numeric) for e in second.entries]


def test_without_the_replay_every_pass_would_move_the_running_statistics():
    # Negative control for the test above: the passes a check makes do update the buffers.
    network = norm_network((2,), pn.BatchNorm(2))
    network.forward([[1.0, 2.0], [3.0, 5.0]])
    network.forward([[1.0, 2.0], [3.0, 5.0]])
    assert network.layers[1].num_batches_tracked.value == [[2.0]]


# -- the classic bug --------------------------------------------------------------------------


def buggy_network(image):
    shape = (2, 2, 2) if image else (2,)
    network = norm_network(shape, BatchNormWithoutMeanOfGradient(2), outputs=1)
    rng = random.Random(3)
    for parameter in network.parameters():
        parameter.value = [[rng.uniform(-1.0, 1.0) for _ in row] for row in parameter.value]
    x = [[rng.uniform(-1.0, 1.0) for _ in range(network.n_in)] for _ in range(3)]
    return network, x, [[0.3], [-0.2], [1.0]]


@pytest.mark.parametrize("image", [False, True], ids=["dense", "conv"])
@pytest.mark.parametrize("method", METHODS)
def test_negative_control_the_missing_mean_of_gradient_term_is_caught(image, method):
    network, x, y = buggy_network(image)
    result = pn.gradcheck(network, x, y, method)
    assert not result.ok, str(result)
    # Only the input gradient is wrong: the stem's rows fail, γ, β and the layers above pass.
    failing = {row.name for row in result.parameters if not row.ok}
    assert failing == {"layers[0].weights", "layers[0].bias"}, str(result)
    # In evaluation mode the layer's (correct) other formula runs: the check passes.
    network.eval()
    assert pn.gradcheck(network, x, y, method).ok


# -- the docs -------------------------------------------------------------------------------------


def test_the_docs_table_is_what_the_check_prints():
    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "dropout-batchnorm.md"
    section = page.read_text("utf-8").split("\n## Gradient checks of these layers\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    (code, table), = re.findall(r"```python\n(.*?)```\n\n```\n(.*?)```", section, re.DOTALL)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})
    # Digits that rounding may change between interpreters (math.sumprod on 3.12+) are masked,
    # and so is which entry is worst among errors at the level of round-off.
    number = re.compile(r"-?\d+\.\d+(?:e[+-]\d+)?")
    worst = re.compile(r"^worst entry: .*$", re.MULTILINE)

    def masked(text):
        return worst.sub("worst entry: …", number.sub("#", text))

    assert masked(printed.getvalue()) == masked(table)
