"""The command line's defaults learn from raw CSVs whose features lie on very different scales
(tests/tabular_cases.py): ``train`` then ``predict`` with nothing but the file names, scored on a
held-out quarter.

Without scikit-learn: the defaults beat the trivial answer by a wide margin (a classifier that
always says the commonest class, a regression that always says the mean), and turning the
standardisation off falls back towards it, which is the failure the standardisation fixes.
With scikit-learn (the oracles "sklearn.neural_network" and "sklearn.preprocessing"): within
a few points of ``MLPClassifier()`` and ``MLPRegressor()`` with their defaults on standardised
features, on average over two draws of each set, as docs/tabular.md claims.
"""

import csv
import io

import pytest
from cli_helpers import run
from oracles import require
from tabular_cases import CASES, split_rows, write_csv

# The defaults must beat the trivial answer by this much (accuracy points, or R²): a network
# that learnt a constant, as the unstandardised defaults do, cannot.
LEARNT_MARGIN = 0.3
# "Within a few points" of scikit-learn's default MLP: 5 accuracy points (4 test rows of 75)
# or 0.05 of R², on average over the draws SEEDS of each set (one draw's 75 test rows move the
# score by a point or two, and CPython 3.12's sums may move a row); purenn may do better.
SKLEARN_POINTS = 0.05
SEEDS = (0, 1)

pytestmark = pytest.mark.slow


def trained_and_predicted(capsys, tmp_path, name, *options, seed=0):
    """(case, test targets, predictions as text, training targets) of train then predict with
    ``options``, on the case drawn with ``seed`` split by ``seed + 1``."""
    case = CASES[name](seed=seed)
    train_rows, test_rows = split_rows(len(case.x), seed + 1)
    write_csv(case, tmp_path / "train.csv", train_rows)
    write_csv(case, tmp_path / "test.csv", test_rows)
    model = str(tmp_path / "model.json")
    result = run(capsys, "train", str(tmp_path / "train.csv"), "--quiet", "--save", model,
                 *options)
    assert result.status == 0, result
    result = run(capsys, "predict", "--model", model, str(tmp_path / "test.csv"))
    assert result.status == 0, result
    predicted = [row[0] for row in csv.reader(io.StringIO(result.out))][1:]
    return case, [case.y[i] for i in test_rows], predicted, [case.y[i] for i in train_rows]


def score(case, truth, predicted):
    """Accuracy, or R² against the test targets."""
    if case.task == "classify":
        return sum(t == p for t, p in zip(truth, predicted)) / len(truth)
    values = [float(p) for p in predicted]
    mean = sum(truth) / len(truth)
    residual = sum((t - p) ** 2 for t, p in zip(truth, values))
    return 1.0 - residual / sum((t - mean) ** 2 for t in truth)


def trivial(case, truth, train_targets):
    """The score of the trivial answer learnt from the training rows."""
    if case.task == "classify":
        common = max(set(train_targets), key=train_targets.count)
        return sum(t == common for t in truth) / len(truth)
    mean = sum(train_targets) / len(train_targets)
    return score(case, truth, [repr(mean)] * len(truth))


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_defaults_learn_from_raw_rows_and_raw_inputs_do_not(capsys, tmp_path, name):
    case, truth, predicted, train_targets = trained_and_predicted(capsys, tmp_path, name)
    baseline = trivial(case, truth, train_targets)
    assert score(case, truth, predicted) >= baseline + LEARNT_MARGIN
    case, truth, raw, _ = trained_and_predicted(capsys, tmp_path, name, "--no-standardize")
    assert score(case, truth, raw) < baseline + LEARNT_MARGIN


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_defaults_are_within_a_few_points_of_scikit_learns(capsys, tmp_path, name):
    networks, preprocessing = require("sklearn.neural_network"), require("sklearn.preprocessing")
    gaps = []
    for seed in SEEDS:
        case, truth, predicted, train_targets = trained_and_predicted(capsys, tmp_path, name,
                                                                     seed=seed)
        train_rows, test_rows = split_rows(len(case.x), seed + 1)
        scaler = preprocessing.StandardScaler().fit([case.x[i] for i in train_rows])
        model = (networks.MLPClassifier if case.task == "classify" else networks.MLPRegressor)(
            random_state=0)
        model.fit(scaler.transform([case.x[i] for i in train_rows]), train_targets)
        theirs = model.predict(scaler.transform([case.x[i] for i in test_rows])).tolist()
        gaps.append(score(case, truth, predicted) - score(case, truth, [str(v) for v in theirs]))
    assert sum(gaps) / len(gaps) >= -SKLEARN_POINTS, gaps
