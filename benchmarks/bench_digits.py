"""A digits-sized MLP, one epoch: purenn per epoch and its peak memory, NumPy and PyTorch alike.

Run: ``python3 benchmarks/bench_digits.py [--repeats N] [--json FILE]``.  The network is
64-32-10 (ReLU, then logits), softmax cross-entropy, plain SGD (learning rate 0.1), batches of
32, shuffled, on all 1797 digits (``pn.datasets.digits``).  Each repeat times one more epoch of
the same network (the median is reported); NumPy and PyTorch (CPU, float64), when installed, run
the same epoch written as they would be (a matrix product per layer, softmax cross-entropy, the
chain rule by hand or by autograd).  Peak memory is measured by ``tracemalloc`` around a fresh
run (loading the data and one epoch), against the floor: the data and the weights as nested
lists of floats, 32 bytes a number (a float object and the list's pointer to it).  The CNN of
``examples/digits_cnn.py`` is timed per epoch too.
"""

import random
from typing import Any, Callable, Dict

from common import arguments, bench, has, header, report, save

import purenn as pn

try:
    import tracemalloc
except ImportError:  # PyPy has no tracemalloc: no peak memory there
    tracemalloc = None  # type: ignore[assignment]

BATCH = 32
LEARNING_RATE = 0.1
BYTES_PER_NUMBER = 32


def mlp(seed: int = 0) -> pn.Network:
    """64-32-10, ReLU hidden layer, logits out, softmax cross-entropy."""
    return pn.Network([pn.Dense(64, 32, "relu", init="he_uniform"), pn.Dense(32, 10)],
                      loss="cross_entropy", seed=seed)


def purenn_epoch(network: pn.Network, x: Any, labels: Any) -> Callable[[], object]:
    """One more epoch of fit on the network each call."""
    return lambda: network.fit(x, labels, epochs=1, batch_size=BATCH,
                               learning_rate=LEARNING_RATE)


def cnn_epoch(x: Any, labels: Any) -> Callable[[], object]:
    """One epoch of examples/digits_cnn.py's CNN (Adam, as the example trains it)."""
    network = pn.Network([
        pn.Conv2D(1, 16, 5, padding=2, activation="relu", init="he_normal",
                  input_shape=(1, 8, 8)),
        pn.MaxPool2D(2), pn.Flatten(), pn.Dense(256, 10)], loss="cross_entropy", seed=0)
    optimizer = pn.Adam(lr=0.01, weight_decay=1e-3)
    return lambda: network.fit(x, labels, epochs=1, batch_size=BATCH, optimizer=optimizer)


def numpy_epoch(x: Any, labels: Any) -> Callable[[], object]:
    """The same epoch in NumPy: shuffled batches, X·W + b, ReLU, softmax cross-entropy, SGD."""
    import numpy as np  # optional: only when installed

    rng = np.random.default_rng(0)
    data, targets = np.array(x), np.eye(10)[labels]
    w1, b1 = rng.uniform(-0.3, 0.3, (64, 32)), np.zeros(32)
    w2, b2 = rng.uniform(-0.3, 0.3, (32, 10)), np.zeros(10)

    def epoch() -> None:
        nonlocal w1, b1, w2, b2
        order = rng.permutation(len(data))
        for start in range(0, len(data), BATCH):
            batch = order[start:start + BATCH]
            xb, tb = data[batch], targets[batch]
            z1 = xb @ w1 + b1
            h = np.maximum(z1, 0.0)
            logits = h @ w2 + b2
            exps = np.exp(logits - logits.max(axis=1, keepdims=True))
            probabilities = exps / exps.sum(axis=1, keepdims=True)
            delta2 = (probabilities - tb) / len(xb)
            delta1 = (delta2 @ w2.T) * (z1 > 0)
            w2 -= LEARNING_RATE * (h.T @ delta2)
            b2 -= LEARNING_RATE * delta2.sum(axis=0)
            w1 -= LEARNING_RATE * (xb.T @ delta1)
            b1 -= LEARNING_RATE * delta1.sum(axis=0)

    return epoch


def torch_epoch(x: Any, labels: Any) -> Callable[[], object]:
    """The same epoch in PyTorch (CPU, float64, one thread): nn.Sequential, autograd, SGD."""
    import torch  # optional: only when installed

    torch.manual_seed(0)
    torch.set_num_threads(1)
    data = torch.tensor(x, dtype=torch.float64)
    targets = torch.tensor(labels)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 10)).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_function = torch.nn.CrossEntropyLoss()

    def epoch() -> None:
        order = torch.randperm(len(data))
        for start in range(0, len(data), BATCH):
            batch = order[start:start + BATCH]
            optimizer.zero_grad()
            loss_function(model(data[batch]), targets[batch]).backward()
            optimizer.step()

    return epoch


def peak_memory() -> Dict[str, float]:
    """tracemalloc's peak over loading the digits and training one epoch, and the floor."""
    tracemalloc.start()
    x, labels = pn.datasets.digits()
    network = mlp()
    network.fit(x, labels, epochs=1, batch_size=BATCH, learning_rate=LEARNING_RATE)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    weights = sum(len(row) for p in network.parameters() for row in p.value)
    numbers = len(x) * len(x[0]) + len(labels) * 10 + weights  # X, one-hot Y, W and b
    floor = float(numbers * BYTES_PER_NUMBER)
    return {"peak_bytes": float(peak), "floor_bytes": floor, "ratio": peak / floor}


def main() -> None:
    args = arguments(__doc__.splitlines()[0], repeats=7)
    header(f"Digits MLP 64-32-10, batch {BATCH}, one epoch of 1797 samples, medians")
    x, labels = pn.datasets.digits()
    random.seed(0)
    cases: Dict[str, Callable[[], object]] = {"purenn": purenn_epoch(mlp(), x, labels)}
    numpy, torch = has("numpy"), has("torch")
    if numpy:
        cases["NumPy"] = numpy_epoch(x, labels)
    if torch:
        cases["PyTorch CPU"] = torch_epoch(x, labels)
    medians = bench(cases, args.repeats)
    report("one epoch", medians, "purenn")
    memory = peak_memory() if tracemalloc is not None else {}
    if memory:
        print(f"\npeak memory {memory['peak_bytes'] / 1e6:.2f} MB, the floor (data and weights "
              f"as lists of floats) {memory['floor_bytes'] / 1e6:.2f} MB: {memory['ratio']:.2f}×")
    results: Dict[str, Any] = {"medians": medians, "memory": memory}
    if not args.quick:
        cnn = bench({"purenn CNN": cnn_epoch(x, labels)}, max(3, args.repeats // 2))
        report("examples/digits_cnn.py's CNN, one epoch (Adam)", cnn, "purenn CNN", unit="s")
        results["cnn_epoch"] = cnn["purenn CNN"]
    save(args.json, results)


if __name__ == "__main__":
    main()
