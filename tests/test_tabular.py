"""The tabular API (purenn.tabular: read_csv and the seeded split) and the metrics behind the
scores (purenn.metrics: probabilities, per-class report, MAE, RMSE, R²), against
scikit-learn's where it is installed, and Network.predict_proba."""

import math
import random
import warnings

import pytest
from oracles import require

import purenn as pn
from purenn.metrics import (
    class_report,
    mean_absolute_error,
    r2_score,
    root_mean_squared_error,
)
from purenn.tabular import RowIdWarning, read_csv, train_test_split

# metrics sum with math.fsum, scikit-learn with NumPy's pairwise sums: a few roundings apart.
SKLEARN_REL = 1e-12


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_read_csv_gives_x_y_and_the_names(tmp_path):
    path = write(tmp_path / "pets.tsv", "id\tweight\tkind\theight\n" + "".join(
        f"{i}\t{1000 + (i % 7) * 2.5}\t{'cat' if i % 3 else 'dog'}\t{i % 4}\n" for i in range(25)))
    with pytest.warns(RowIdWarning, match="column 1 \\(id\\) holds a different whole number"):
        read_csv(path, target="kind")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = read_csv(path, target=2, drop=["id"], sep="\t")
    assert data.feature_names == ["weight", "height"] and data.target_name == "kind"
    assert data.class_names == ["cat", "dog"] and data.task == "classify" and data.n_classes == 2
    assert data.x[1] == [1002.5, 1.0] and data.y[:3] == [1, 0, 0]


def test_read_csv_regresses_and_names_columns_without_a_header(tmp_path):
    path = write(tmp_path / "line.csv", "".join(f"{i * 0.5},{i % 3},{2 * i + 0.5}\n"
                                                for i in range(20)))
    data = read_csv(path)
    assert data.task == "regress" and data.class_names is None and data.n_classes == 0
    assert data.feature_names == ["column 1", "column 2"] and data.target_name == "column 3"
    assert data.y[3] == [6.5]
    assert read_csv(path, target=-2, task="classify").class_names == ["0", "1", "2"]


@pytest.mark.parametrize(("arguments", "message"), [
    ({"target": "size"}, "read_csv: target 'size': .* has no column of that name"),
    ({"target": 2.5}, "read_csv: target must be a column's name or index"),
    ({"sep": "|"}, "read_csv: sep must be"),
    ({"task": "cluster"}, "read_csv: task must be 'classify' or 'regress'"),
    ({"drop": "a"}, "read_csv: drop must be a list"),
])
def test_read_csv_refuses_bad_arguments_by_name(tmp_path, arguments, message):
    path = write(tmp_path / "a.csv", "a,b\n1,x\n2,y\n")
    with pytest.raises(pn.ConfigurationError, match=message):
        read_csv(path, **arguments)


def test_read_csv_names_the_likely_cause_of_a_bad_file(tmp_path):
    path = write(tmp_path / "euro.csv", "a;b;c\n1,5;2;x\n2;3;y\n")
    with pytest.raises(pn.DataError, match=r"line 2, column 1 \(a\): '1,5' .*decimal comma"):
        read_csv(path)


def test_the_split_is_seeded_and_keeps_rows_with_their_targets(tmp_path):
    x = [[float(i)] for i in range(20)]
    y = list(range(20))
    first = train_test_split(x, y, 0.25, seed=3)
    assert first == train_test_split(x, y, 0.25, seed=3)
    x_train, x_test, y_train, y_test = first
    assert len(x_test) == 5 and sorted(y_train + y_test) == y
    assert all(row == [float(label)] for row, label in zip(x_train + x_test, y_train + y_test))


# -- metrics ---------------------------------------------------------------------------------


def random_classes(seed, n=60, k=4):
    rng = random.Random(seed)
    truth = [rng.randrange(k) for _ in range(n)]
    return truth, [t if rng.random() < 0.6 else rng.randrange(k) for t in truth]


@pytest.mark.parametrize("seed", range(3))
def test_the_class_report_matches_scikit_learn(seed):
    metrics = require("sklearn.metrics")
    truth, predicted = random_classes(seed)
    report = class_report(truth, predicted, 4)
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        truth, predicted, labels=list(range(4)), zero_division=0)
    assert report.confusion == metrics.confusion_matrix(truth, predicted).tolist()
    for ours, theirs in ((report.precision, precision), (report.recall, recall),
                         (report.f1, f1)):
        assert all(math.isclose(a, b, rel_tol=SKLEARN_REL) for a, b in zip(ours, theirs))
    assert report.support == support.tolist()
    assert math.isclose(report.accuracy, metrics.accuracy_score(truth, predicted))


@pytest.mark.parametrize("seed", range(3))
def test_regression_scores_match_scikit_learn(seed):
    metrics = require("sklearn.metrics")
    rng = random.Random(seed)
    truth = [[rng.gauss(150.0, 60.0)] for _ in range(40)]
    output = [[t[0] + rng.gauss(0.0, 20.0)] for t in truth]
    flat_truth, flat_output = [t[0] for t in truth], [o[0] for o in output]
    for ours, theirs in (
        (r2_score(output, truth, None), metrics.r2_score(flat_truth, flat_output)),
        (mean_absolute_error(output, truth, None),
         metrics.mean_absolute_error(flat_truth, flat_output)),
        (root_mean_squared_error(output, truth, None),
         math.sqrt(metrics.mean_squared_error(flat_truth, flat_output))),
    ):
        assert math.isclose(ours, theirs, rel_tol=SKLEARN_REL)


def test_a_class_nobody_predicted_scores_zero_not_an_error():
    report = class_report([0, 1, 2], [0, 0, 0], 3)
    assert report.precision == [1 / 3, 0.0, 0.0] and report.recall == [1.0, 0.0, 0.0]
    assert report.f1[1:] == [0.0, 0.0]


def test_r2_of_a_constant_target_follows_scikit_learn():
    assert r2_score([[2.0], [2.0]], [[2.0], [2.0]], None) == 1.0
    assert r2_score([[1.0], [3.0]], [[2.0], [2.0]], None) == 0.0


@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
def test_macro_averages_are_registered_for_evaluate(name):
    net = pn.Network([pn.Dense(2, 3)], loss="cross_entropy", seed=0)
    x, labels = [[0, 1], [1, 0], [1, 1], [2, 0]], [0, 1, 2, 2]
    values = getattr(class_report(labels, net.predict_classes(x), 3), name)
    assert net.evaluate(x, labels, metrics=[name])[name] == math.fsum(values) / 3


@pytest.mark.parametrize(("name", "function"), [
    ("mae", mean_absolute_error), ("rmse", root_mean_squared_error), ("r2", r2_score)])
def test_regression_scores_are_registered_for_evaluate(name, function):
    net = pn.Network([pn.Dense(2, 1)], loss="mse", seed=0)
    x, y = [[0, 1], [1, 0], [1, 1]], [[0.5], [1.0], [3.0]]
    assert net.evaluate(x, y, metrics=[name])[name] == function(net.predict(x), y, None)


# -- predict_proba ---------------------------------------------------------------------------


def test_predict_proba_for_each_kind_of_classifier():
    x = [[0.5, -1.0], [2.0, 0.0], [-1.0, 1.5]]
    logits = pn.Network([pn.Dense(2, 3)], loss="cross_entropy", seed=0)
    assert all(math.isclose(sum(row), 1.0) for row in logits.predict_proba(x))
    assert [max(range(3), key=row.__getitem__) for row in logits.predict_proba(x)] == \
        logits.predict_classes(x)
    sigmoid = pn.Network([pn.Dense(2, 1, "sigmoid")], loss="bce", seed=0)
    assert sigmoid.predict_proba(x) == [[1.0 - p, p] for [p] in sigmoid.predict(x)]
    softmax = pn.Network([pn.Dense(2, 3, "softmax")], loss="mse", seed=0)
    assert softmax.predict_proba(x) == softmax.predict(x)


def test_predict_proba_of_a_regression_is_refused():
    with pytest.raises(pn.ConfigurationError, match="predict_proba: the outputs are not class"):
        pn.Network([pn.Dense(2, 1)], loss="mse").predict_proba([[1.0, 2.0]])
