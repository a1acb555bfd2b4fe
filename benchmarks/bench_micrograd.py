"""One full-batch training step of micrograd's demo model, in micrograd and in purenn.

Run: ``python3 benchmarks/bench_micrograd.py [--repeats N] [--json FILE]`` with micrograd
installed (``pip install micrograd``; the ``bench`` extra has it).  The model is the one of
micrograd's demo notebook: an MLP 2-16-16-1 with ReLU hidden layers on 100 two-moons points
(labels ±1).  micrograd's step is the demo's: forward on every point, the max-margin loss plus
an L2 penalty of 1e-4, ``zero_grad``, ``backward`` and θ ← θ − 0.01·∂L/∂θ.  purenn's step is
``fit`` for one full-batch epoch: checking the data, forward, the mean squared error, the chain
rule back and SGD with weight decay 1e-4 (purenn has no max-margin loss; the two losses cost
about the same, a few operations per point).
"""

import random
from typing import Any, Callable, Dict

from common import arguments, bench, has, header, report, save

import purenn as pn

POINTS = 100


def moons() -> Any:
    """100 two-moons points and their labels as ±1."""
    x, labels = pn.datasets.two_moons(POINTS, noise=0.1, seed=1)
    return x, [2.0 * label - 1.0 for label in labels]


def purenn_step() -> Callable[[], object]:
    """One epoch of fit on the whole batch."""
    x, y = moons()
    targets = [[value] for value in y]
    network = pn.Network([pn.Dense(2, 16, "relu", init="he_uniform"),
                          pn.Dense(16, 16, "relu", init="he_uniform"),
                          pn.Dense(16, 1)], loss="mse", seed=0)
    optimizer = pn.SGD(lr=0.01, weight_decay=1e-4)
    return lambda: network.fit(x, targets, epochs=1, optimizer=optimizer)


def micrograd_step() -> Callable[[], object]:
    """The demo notebook's training step, on the same points."""
    from micrograd.engine import Value  # an optional dependency, imported only when present
    from micrograd.nn import MLP

    x, y = moons()
    random.seed(1337)
    model = MLP(2, [16, 16, 1])

    def step() -> None:
        inputs = [list(map(Value, row)) for row in x]
        scores = list(map(model, inputs))
        losses = [(1 + -label * score).relu() for label, score in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad

    return step


def main() -> None:
    args = arguments(__doc__.splitlines()[0], repeats=7)
    header(f"One training step, MLP 2-16-16-1 ReLU on {POINTS} two-moons points")
    cases: Dict[str, Callable[[], object]] = {"purenn fit, one epoch": purenn_step()}
    micrograd = has("micrograd")
    if micrograd:
        cases["micrograd"] = micrograd_step()
    else:
        print("micrograd is not installed: purenn alone (pip install micrograd)")
    medians = bench(cases, args.repeats, warmup=2)
    report("medians", medians, "purenn fit, one epoch")
    results: Dict[str, Any] = {"medians": medians, "micrograd": micrograd}
    if micrograd:
        results["speedup"] = medians["micrograd"] / medians["purenn fit, one epoch"]
        print(f"\npurenn is {results['speedup']:.0f}× faster than micrograd")
    save(args.json, results)


if __name__ == "__main__":
    main()
