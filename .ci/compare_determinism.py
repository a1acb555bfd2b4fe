"""Compare the determinism records (JSON from determinism.py) of several interpreters.

The first file is the reference (CI passes the default interpreter's first).  Fails (exit 1) with
a message naming the interpreters and the worst difference when:

* an ``exact`` entry (initial-weight hashes, shuffling orders, dropout masks) differs at all;
* a trained weight differs by more than TRAINED_RELATIVE_TOLERANCE, measured per training run as
  max_i |a_i − b_i| / max_i max(|a_i|, |b_i|) over all its weights (a norm-wise relative error,
  so a weight that happens to be near zero cannot make the ratio meaningless).

Usage: python .ci/compare_determinism.py REFERENCE.json OTHER.json...
"""

import json
import sys
from typing import Any, Dict, List, Tuple

# Measured: the seed run differs by ~1e-15 relative between CPython 3.11 (naive sum) and 3.12
# (compensated sumprod); 1e-12 leaves three orders of magnitude for longer runs and still
# catches any real divergence (a different order of operations or of random draws moves the
# weights by far more).
TRAINED_RELATIVE_TOLERANCE = 1e-12


def load(path: str) -> Dict[str, Any]:
    """The record stored in ``path``."""
    with open(path, encoding="utf-8") as handle:
        record: Dict[str, Any] = json.load(handle)
    return record


def name_of(record: Dict[str, Any]) -> str:
    """'label (interpreter)' for messages."""
    return f"{record['label']} ({record['interpreter']})"


def exact_mismatches(reference: Dict[str, Any], other: Dict[str, Any]) -> List[str]:
    """One line per exact entry that differs between the two records."""
    problems = []
    for section, expected in reference["exact"].items():
        found = other["exact"].get(section, {})
        for key in sorted(set(expected) | set(found)):
            if expected.get(key) != found.get(key):
                problems.append(
                    f"{section} [{key}]: {name_of(reference)} has {expected.get(key)!r}, "
                    f"{name_of(other)} has {found.get(key)!r}"
                )
    return problems


def flat_values(weights: Dict[str, List[List[str]]]) -> List[Tuple[str, float]]:
    """(position, value) of every weight, in a fixed order."""
    return [
        (f"{name}[{i}][{j}]", float.fromhex(text))
        for name in sorted(weights)
        for i, row in enumerate(weights[name])
        for j, text in enumerate(row)
    ]


def relative_difference(
    a: Dict[str, List[List[str]]], b: Dict[str, List[List[str]]]
) -> Tuple[float, str]:
    """(max |a − b| / max(|a|, |b|) over all weights, position of the largest |a − b|)."""
    values_a, values_b = flat_values(a), flat_values(b)
    if [key for key, _ in values_a] != [key for key, _ in values_b]:
        return float("inf"), "parameter names or shapes differ"
    scale = max(max(abs(x), abs(y)) for (_, x), (_, y) in zip(values_a, values_b))
    worst, where = max((abs(x - y), key) for (key, x), (_, y) in zip(values_a, values_b))
    if worst == 0.0:
        return 0.0, where
    return (worst / scale if scale > 0 else float("inf")), where


def compare(records: List[Dict[str, Any]]) -> List[str]:
    """Every problem found comparing records[1:] with records[0], plus a report printed."""
    reference = records[0]
    problems = []
    for record in records:
        for run in record.get("unrepeatable", []):
            problems.append(f"{name_of(record)}: repeating '{run}' was not bit-identical")
    for other in records[1:]:
        problems.extend(exact_mismatches(reference, other))
    for run in reference["trained"]:
        worst = (0.0, "", reference)
        for other in records[1:]:
            if run not in other["trained"]:
                problems.append(f"{name_of(other)} has no training run '{run}'")
                continue
            difference, where = relative_difference(
                reference["trained"][run], other["trained"][run]
            )
            if difference >= worst[0]:
                worst = (difference, where, other)
        difference, where, other = worst
        print(
            f"  {run}: worst relative difference {difference:.3g} "
            f"({name_of(reference)} vs {name_of(other)}, at {where})"
        )
        if not difference <= TRAINED_RELATIVE_TOLERANCE:
            problems.append(
                f"trained weights of '{run}' differ by {difference:.3g} relative "
                f"(tolerance {TRAINED_RELATIVE_TOLERANCE:g}) between {name_of(reference)} and "
                f"{name_of(other)}, worst at {where}"
            )
    return problems


def main(paths: List[str]) -> int:
    """Compare the records in ``paths``; exit status 1 on any problem."""
    if len(paths) < 1:
        print("usage: compare_determinism.py REFERENCE.json OTHER.json...", file=sys.stderr)
        return 2
    records = [load(path) for path in paths]
    print(f"determinism across {len(records)} interpreters: {', '.join(map(name_of, records))}")
    problems = compare(records)
    exact_entries = sum(len(section) for section in records[0]["exact"].values())
    if problems:
        print("DETERMINISM CHECK FAILED:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(
        f"determinism OK: {exact_entries} initial-weight hashes, shuffling orders and dropout "
        f"masks bit-identical; trained weights within {TRAINED_RELATIVE_TOLERANCE:g} relative; "
        "repeats bit-identical"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
