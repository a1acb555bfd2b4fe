"""Learning-rate schedules by value (their closed forms), and as fit applies them."""

import math

import pytest

import purenn as pn
from purenn.optimizers import SGD

# Closed forms evaluated two ways (powers and cosines) agree to a few ulps.
RATE_TOL = 1e-12


def test_step_lr_multiplies_every_step_size_epochs():
    # η₀ = 0.8, γ = 0.5, step 3: epochs 0–2 at 0.8, 3–5 at 0.4, 6 at 0.2.
    schedule = pn.StepLR(step_size=3, gamma=0.5)
    rates = [schedule.rate(t, 0.8) for t in range(7)]
    assert rates == pytest.approx([0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2], abs=RATE_TOL)


def test_exponential_lr_multiplies_every_epoch():
    schedule = pn.ExponentialLR(gamma=0.5)
    assert [schedule.rate(t, 1.0) for t in range(4)] == pytest.approx([1, 0.5, 0.25, 0.125])


def test_cosine_annealing_closed_form():
    # η_min = 0.1, η₀ = 1.1, T_max = 4: η_t = 0.1 + ½·1·(1 + cos(πt/4)).
    # t = 0: 1.1; t = 1: 0.1 + ½(1 + √2/2) = 0.9535534; t = 2: 0.6; t = 4: 0.1 (the minimum);
    # t = 8: a full period later, back to 1.1.
    schedule = pn.CosineAnnealingLR(T_max=4, eta_min=0.1)
    expected = {0: 1.1, 1: 0.1 + 0.5 * (1 + math.sqrt(0.5)), 2: 0.6, 4: 0.1, 6: 0.6, 8: 1.1}
    for t, rate in expected.items():
        assert schedule.rate(t, 1.1) == pytest.approx(rate, abs=RATE_TOL)


@pytest.mark.parametrize(
    "build",
    [
        lambda: pn.StepLR(step_size=0),
        lambda: pn.StepLR(step_size=2.5),
        lambda: pn.StepLR(step_size=2, gamma=0),
        lambda: pn.StepLR(step_size=2, gamma=float("nan")),
        lambda: pn.ExponentialLR(gamma=-0.5),
        lambda: pn.ExponentialLR(gamma="0.5"),
        lambda: pn.CosineAnnealingLR(T_max=0),
        lambda: pn.CosineAnnealingLR(T_max=10, eta_min=-1.0),
    ],
)
def test_bad_schedule_arguments_are_configuration_errors(build):
    with pytest.raises(pn.ConfigurationError, match="LR"):
        build()


@pytest.mark.parametrize(("epoch", "base_lr"), [(-1, 0.1), (1.5, 0.1), (True, 0.1), (0, -0.1)])
def test_rate_rejects_bad_arguments(epoch, base_lr):
    with pytest.raises(pn.ConfigurationError, match=r"StepLR\.rate"):
        pn.StepLR(step_size=2).rate(epoch, base_lr)


DATA_X = [[0.0, 1.0], [1.0, 0.5], [0.5, -1.0], [-1.0, 0.0]]
DATA_Y = [[1.0], [0.0], [1.0], [0.5]]


def small_network():
    return pn.Network([pn.Dense(2, 3, activation="tanh"), pn.Dense(3, 1)], seed=3)


def test_fit_sets_the_scheduled_rate_each_epoch_and_restores_it():
    network, manual = small_network(), small_network()
    optimizer = SGD(lr=0.2)
    schedule = pn.ExponentialLR(gamma=0.5)
    history = network.fit(DATA_X, DATA_Y, epochs=4, optimizer=optimizer, schedule=schedule)
    assert history.lr == pytest.approx([0.2, 0.1, 0.05, 0.025], abs=RATE_TOL)
    assert optimizer.lr == 0.2
    # The same four full-batch steps by hand, θ ← θ − η_t g, with η_t = 0.2·0.5^t.
    for t in range(4):
        _, grads = manual.gradients(DATA_X, DATA_Y)
        for parameter, grad in zip(manual.parameters(), grads):
            for row, grad_row in zip(parameter.value, grad):
                row[:] = [v - 0.2 * 0.5**t * g for v, g in zip(row, grad_row)]
    for ours, theirs in zip(network.parameters(), manual.parameters()):
        assert ours.value == theirs.value


def test_fit_clips_each_step_to_clip_norm():
    network, manual = small_network(), small_network()
    network.fit(DATA_X, DATA_Y, epochs=3, learning_rate=0.1, clip_norm=0.05)
    for _ in range(3):
        _, grads = manual.gradients(DATA_X, DATA_Y)
        norm = math.sqrt(sum(g * g for grad in grads for row in grad for g in row))
        assert norm > 0.05  # so clipping really acts in this test
        factor = 0.05 / (norm + 1e-6)
        for parameter, grad in zip(manual.parameters(), grads):
            for row, grad_row in zip(parameter.value, grad):
                row[:] = [v - 0.1 * (g * factor) for v, g in zip(row, grad_row)]
    for ours, theirs in zip(network.parameters(), manual.parameters()):
        assert ours.value == theirs.value


def test_a_rate_whose_power_overflows_stays_exact_while_the_product_is_finite():
    # 2**1100 overflows a float, but 1e-300 · 2**1100 ≈ 1.36e31 does not.
    expected = 1e-300 * 2.0**1000 * 2.0**100
    assert pn.ExponentialLR(gamma=2.0).rate(1100, 1e-300) == pytest.approx(expected, rel=1e-12)
    assert pn.StepLR(step_size=1, gamma=2.0).rate(1100, 0.0) == 0.0
    assert pn.ExponentialLR(gamma=2.0).rate(2000, 1.0) == math.inf


def test_fit_reports_a_schedule_that_overflows_as_divergence():
    network = pn.Network([pn.Dense(1, 1)], seed=0)
    before = [p.value[0][:] for p in network.parameters()]
    message = r"ExponentialLR\(gamma=1e\+300\) gives a learning rate of inf at epoch 2"
    with pytest.raises(pn.DivergenceError, match=message):
        network.fit([[0.0]], [[0.0]], epochs=3, learning_rate=1e300,
                    schedule=pn.ExponentialLR(gamma=1e300))
    # epoch 1 has rate η₀ = 1e300 (γ⁰ = 1) and is fine on this zero data; epoch 2 overflows
    assert [p.value[0] for p in network.parameters()] == before
