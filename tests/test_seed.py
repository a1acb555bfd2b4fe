"""The seed tutorial, reproduced: same update rule, same weights, same convergence."""

import math

import purenn as pn
from purenn.cli import seed_network
from purenn.datasets import seed_data

# Both sides perform the same float operations up to the order of a few additions (and the
# 3.12+ sumprod's single rounding), so they drift apart by round-off only: ~1e-16 per step,
# growing at most linearly over 1500 steps of a contracting iteration.  1e-12 is the bound.
SEED_AGREEMENT_TOL = 1e-12


class TutorialNetwork:
    """A plain-Python transcription of the tutorial's NeuralNetwork class (NumPy removed)."""

    def __init__(self, x, y, weights1, weights2):
        self.input = x
        self.weights1 = [row[:] for row in weights1]
        self.weights2 = [row[:] for row in weights2]
        self.y = y

    @staticmethod
    def sigmoid(x):
        return 1.0 / (1.0 + math.exp(-x))

    @staticmethod
    def sigmoid_derivative(x):  # the tutorial's: takes the sigmoid's *output*
        return x * (1.0 - x)

    @staticmethod
    def dot(a, b):
        return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]
                for i in range(len(a))]

    @staticmethod
    def transpose(a):
        return [list(column) for column in zip(*a)]

    def feedforward(self):
        layer1 = self.dot(self.input, self.weights1)
        self.layer1 = [[self.sigmoid(v) for v in row] for row in layer1]
        output = self.dot(self.layer1, self.weights2)
        self.output = [[self.sigmoid(v) for v in row] for row in output]

    def backprop(self):
        # d_weights2 = layer1ᵀ · (2(y − ŷ) ⊙ σ'(ŷ)), the tutorial's negative gradient
        error = [[2 * (t - o) * self.sigmoid_derivative(o) for t, o in zip(tr, orow)]
                 for tr, orow in zip(self.y, self.output)]
        d_weights2 = self.dot(self.transpose(self.layer1), error)
        hidden = self.dot(error, self.transpose(self.weights2))
        hidden = [[h * self.sigmoid_derivative(a) for h, a in zip(hr, ar)]
                  for hr, ar in zip(hidden, self.layer1)]
        d_weights1 = self.dot(self.transpose(self.input), hidden)
        self.weights1 = self.plus(self.weights1, d_weights1)
        self.weights2 = self.plus(self.weights2, d_weights2)

    @staticmethod
    def plus(a, b):
        return [[u + v for u, v in zip(ra, rb)] for ra, rb in zip(a, b)]


def test_purenn_follows_the_tutorial_update_rule_for_1500_iterations():
    x, y = seed_data()
    network = seed_network(seed=1)
    weights1, weights2 = (p.value for p in network.parameters())
    tutorial = TutorialNetwork(x, y, weights1, weights2)
    for _ in range(1500):
        tutorial.feedforward()
        tutorial.backprop()
    network.fit(x, y, epochs=1500, learning_rate=1.0)
    for ours, theirs in zip((p.value for p in network.parameters()),
                            (tutorial.weights1, tutorial.weights2)):
        for our_row, their_row in zip(ours, theirs):
            for a, b in zip(our_row, their_row):
                assert abs(a - b) <= SEED_AGREEMENT_TOL * max(1.0, abs(b))


def test_the_seed_network_matches_the_tutorial_shape():
    network = seed_network(seed=1)
    assert [p.shape for p in network.parameters()] == [(3, 4), (4, 1)]
    assert [p.name for p in network.parameters()] == ["layers[0].weights", "layers[1].weights"]
    assert all(0.0 <= v < 1.0 for p in network.parameters() for row in p.value for v in row)


def test_training_converges_on_the_seed_data():
    x, y = seed_data()
    network = seed_network(seed=1)
    history = network.fit(x, y, epochs=1500, learning_rate=1.0)
    assert len(history.loss) == 1500
    assert history.loss[-1] < history.loss[0] / 100
    # After the plateau of the first few hundred epochs the loss falls at every single epoch.
    tail = history.loss[500:]
    assert all(later < earlier for earlier, later in zip(tail, tail[1:]))
    for prediction, target in zip(network.predict(x), y):
        assert abs(prediction[0] - target[0]) < 0.05


def test_spec_example_with_bias_and_xavier_defaults_learns_xor():
    x = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    y = [[0], [1], [1], [0]]
    net = pn.Network([pn.Dense(3, 4, activation="sigmoid"),
                      pn.Dense(4, 1, activation="sigmoid")], loss="sse", seed=1)
    history = net.fit(x, y, epochs=1500, learning_rate=1.0)
    assert history.loss[-1] < history.loss[0] / 10
    assert net.loss(x, y) < 0.05
    predictions = net.predict(x)
    assert [round(row[0]) for row in predictions] == [0, 1, 1, 0]
