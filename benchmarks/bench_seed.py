"""The seed workload (3-4-1 sigmoid, SSE, 1500 full-batch epochs) against the tutorial's NumPy code.

Run: ``python3 benchmarks/bench_seed.py [--repeats N] [--json FILE]``.  Two comparisons, each
interleaved: inside one process (the training alone), and as whole processes (start-up, imports
and training: what a user waits for).  The NumPy side is the tutorial's own class, verbatim but
for the weights' seed; without NumPy only purenn is timed.  Also: purenn's import and fit alone
as a process, and a hand-written list-based epoch with no library at all (what list
comprehensions, one pass per formula, allow on this interpreter: purenn's plain step works that
way; its straight-line step, which the seed's fit takes, does not).
"""

import math
import sys
from typing import Callable, Dict, List

from common import arguments, bench, has, header, report, save, whole_processes

from purenn.cli import seed_network
from purenn.datasets import seed_data

EPOCHS = 1500

PURENN_SCRIPT = f"""
import purenn as pn
X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
Y = [[0], [1], [1], [0]]
net = pn.Network([pn.Dense(3, 4, activation="sigmoid", bias=False, init="uniform"),
                  pn.Dense(4, 1, activation="sigmoid", bias=False, init="uniform")],
                 loss="sse", seed=1)
net.fit(X, Y, epochs={EPOCHS}, learning_rate=1.0)
"""

# James Loy, "How to build your own Neural Network from scratch in Python" (2018): the class as
# the tutorial gives it, run for the same 1500 iterations.
NUMPY_TUTORIAL = f"""
import numpy as np

def sigmoid(x):
    return 1.0 / (1 + np.exp(-x))

def sigmoid_derivative(x):
    return x * (1.0 - x)

class NeuralNetwork:
    def __init__(self, x, y):
        self.input = x
        self.weights1 = np.random.rand(self.input.shape[1], 4)
        self.weights2 = np.random.rand(4, 1)
        self.y = y
        self.output = np.zeros(self.y.shape)

    def feedforward(self):
        self.layer1 = sigmoid(np.dot(self.input, self.weights1))
        self.output = sigmoid(np.dot(self.layer1, self.weights2))

    def backprop(self):
        d_weights2 = np.dot(self.layer1.T, (2 * (self.y - self.output)
                                            * sigmoid_derivative(self.output)))
        d_weights1 = np.dot(self.input.T, (np.dot(2 * (self.y - self.output)
                                                  * sigmoid_derivative(self.output),
                                                  self.weights2.T)
                                           * sigmoid_derivative(self.layer1)))
        self.weights1 += d_weights1
        self.weights2 += d_weights2

def train():
    np.random.seed(1)
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([[0], [1], [1], [0]])
    nn = NeuralNetwork(X, y)
    for i in range({EPOCHS}):
        nn.feedforward()
        nn.backprop()
    return nn

if __name__ == "__main__":
    train()
"""


def purenn_fit() -> None:
    """The seed example's fit, as the README shows it."""
    x, y = seed_data()
    seed_network(1).fit(x, y, epochs=EPOCHS, learning_rate=1.0)


def list_floor() -> None:
    """The same 1500 epochs written out by hand for these shapes, lists and floats only, no
    library: how fast list arithmetic allows this workload to be on this interpreter."""
    x, y = seed_data()
    network = seed_network(1)
    w1, w2 = network.layers[0].weights.value, network.layers[1].weights.value
    exp = math.exp
    for _ in range(EPOCHS):
        z1 = [[a0 * b0 + a1 * b1 + a2 * b2 for b0, b1, b2 in zip(*w1)] for a0, a1, a2 in x]
        h = [[1.0 / (1.0 + exp(-v)) for v in row] for row in z1]
        z2 = [[a0 * b0 + a1 * b1 + a2 * b2 + a3 * b3 for b0, b1, b2, b3 in zip(*w2)]
              for a0, a1, a2, a3 in h]
        out = [[1.0 / (1.0 + exp(-v)) for v in row] for row in z2]
        d2 = [[2.0 * (o - t) * (o * (1.0 - o)) for o, t in zip(o_row, t_row)]
              for o_row, t_row in zip(out, y)]
        dw2 = [[a0 * b0 + a1 * b1 + a2 * b2 + a3 * b3 for b0, b1, b2, b3 in zip(*d2)]
               for a0, a1, a2, a3 in zip(*h)]
        d1 = [[d * w * (a * (1.0 - a)) for (w,), a in zip(w2, a_row)]
              for (d,), a_row in zip(d2, h)]
        dw1 = [[a0 * b0 + a1 * b1 + a2 * b2 + a3 * b3 for b0, b1, b2, b3 in zip(*d1)]
               for a0, a1, a2, a3 in zip(*x)]
        w1[:] = [[w - g for w, g in zip(w_row, g_row)] for w_row, g_row in zip(w1, dw1)]
        w2[:] = [[w - g for w, g in zip(w_row, g_row)] for w_row, g_row in zip(w2, dw2)]


def main() -> None:
    args = arguments(__doc__.splitlines()[0], repeats=9)
    header(f"The seed workload: {EPOCHS} full-batch epochs of 3-4-1 sigmoid, SSE")
    cases: Dict[str, Callable[[], object]] = {"purenn fit": purenn_fit}
    numpy = has("numpy")
    if numpy:
        namespace: Dict[str, Callable[[], object]] = {}
        exec(NUMPY_TUTORIAL, namespace)
        cases["tutorial NumPy"] = namespace["train"]
    cases["hand-written lists, no library"] = list_floor
    in_process = bench(cases, args.repeats)
    baseline = "tutorial NumPy" if numpy else "purenn fit"
    report("inside one process", in_process, baseline)
    commands: Dict[str, List[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "purenn: import and fit": [sys.executable, "-c", PURENN_SCRIPT],
    }
    if numpy:
        commands["tutorial NumPy: import and fit"] = [sys.executable, "-c", NUMPY_TUTORIAL]
    processes = whole_processes(commands, args.repeats)
    report("whole processes", processes,
           "tutorial NumPy: import and fit" if numpy else "purenn: import and fit")
    results = {"in_process": in_process, "processes": processes, "numpy": numpy}
    if numpy:
        results["ratio_in_process"] = in_process["purenn fit"] / in_process["tutorial NumPy"]
        results["ratio_process"] = (
            processes["purenn: import and fit"] / processes["tutorial NumPy: import and fit"]
        )
    save(args.json, results)


if __name__ == "__main__":
    main()
