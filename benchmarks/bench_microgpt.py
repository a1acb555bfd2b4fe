"""microgpt against purenn: its exact recipe step for step, and the time to its quality.

Run: ``python3 benchmarks/bench_microgpt.py [--data names.txt] [--steps 1000] [--quick]
[--json FILE]`` with microgpt's engine installed (``pip install --no-deps
strands-microgpt==0.1.0``: its ``engine.py`` is microgpt's Value, model and loop; the package's
``__init__`` needs the Strands framework, so the engine is loaded by its path).

1. microgpt's run: seed 42, shuffle, its weights, ``--steps`` steps of one name each, timed step
   by step (the median step), in microgpt and in purenn (``examples/microgpt.py``'s recipe), one
   after the other in one process; the losses printed to four decimals are compared.
2. Time to microgpt's quality: the loss of microgpt's trained model on held-out names (the last
   10% of the shuffled list, which its steps never reach), then purenn's batched recipe
   (``--batch-size``, ``--lr``, decay over ``--budget`` steps) trained on the other 90%,
   evaluated every ``--every`` steps; the training time until its held-out loss is at least as
   low (evaluation untimed) against microgpt's whole run.

Without ``--data`` both train on 32,033 made-up names (``purenn.models.made_up_names``):
makemore's names.txt is not shipped with purenn.  The times are CPU seconds of this process.
"""

import argparse
import contextlib
import random
import statistics
import sys
import time
from typing import Any, Dict, List

from common import REPO, header, save

from purenn.models import (
    Tokenizer,
    from_microgpt,
    made_up_names,
    microgpt_adam,
    microgpt_state_dict,
    read_names,
    sequence_loss,
    train_steps,
)

sys.path.insert(0, f"{REPO}/tests")
import microgpt_oracle


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a file of names, one a line (makemore's names.txt)")
    parser.add_argument("--steps", type=int, default=1000, help="microgpt's steps (1000)")
    parser.add_argument("--batch-size", type=int, default=4, help="the fast recipe's batch")
    parser.add_argument("--lr", type=float, default=0.03, help="the fast recipe's rate")
    parser.add_argument("--budget", type=int, default=400, help="its decay's length in steps")
    parser.add_argument("--every", type=int, default=10, help="its evaluation interval")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--quick", action="store_true", help="100 steps (a check)")
    parser.add_argument("--repeats", type=int, default=1, help="ignored (one run is the median)")
    return parser.parse_args()


def engine() -> Any:
    """microgpt's engine module, or None when strands-microgpt is not installed."""
    try:
        return microgpt_oracle.engine()
    except BaseException:  # the oracle skips (a pytest outcome) where it is missing
        return None


class StepClock:
    """A callback that records the CPU time of every step."""

    def __init__(self) -> None:
        self.last = time.process_time()
        self.steps: List[float] = []

    def __call__(self, step: int, loss: float) -> None:
        now = time.process_time()
        self.steps.append(now - self.last)
        self.last = now


def microgpt_steps(module: Any, docs: List[str], steps: int) -> Dict[str, Any]:
    """microgpt's run: its losses, step times and trained weights (as rows of floats)."""
    rng = random.Random(42)
    shuffled = list(docs)
    rng.shuffle(shuffled)
    tokenizer = module.Tokenizer.from_docs(shuffled)
    model = microgpt_oracle.microgpt_model(
        module, microgpt_state_dict(rng, tokenizer.vocab_size))
    clock = StepClock()
    losses = model.train_on_docs(list(docs), tokenizer, num_steps=steps, log_every=0,
                                 callback=clock)
    state = {key: [[p.data for p in row] for row in matrix]
             for key, matrix in model.state_dict.items()}
    return {"losses": losses, "times": clock.steps, "state": state}


def purenn_steps(shuffled: List[str], state: Dict[str, Any], steps: int) -> Dict[str, Any]:
    """The same run in purenn."""
    tokenizer = Tokenizer(shuffled)
    net = from_microgpt(state, n_head=4)
    clock = StepClock()
    losses = train_steps(net, [tokenizer.encode(doc) for doc in shuffled], steps, callback=clock)
    return {"losses": losses, "times": clock.steps, "net": net}


class TargetReachedError(Exception):
    """Raised by the evaluating callback when the held-out loss reaches the target."""


def time_to_quality(args: argparse.Namespace, train: List[List[int]], held: List[List[int]],
                    state: Dict[str, Any], target: float) -> Dict[str, Any]:
    """Train the batched recipe until the held-out loss ≤ target: CPU seconds of training
    (every ``--every`` steps a callback evaluates, untimed, and stops the run once there)."""
    net = from_microgpt(state, n_head=4)
    record = {"evaluating": 0.0, "steps": 0, "held_out": float("inf")}

    def evaluate(step: int, loss: float) -> None:
        if step % args.every:
            return
        started = time.process_time()
        record["steps"], record["held_out"] = step, sequence_loss(net, held)
        record["evaluating"] += time.process_time() - started
        if record["held_out"] <= target:
            raise TargetReachedError

    started = time.process_time()
    with contextlib.suppress(TargetReachedError):
        train_steps(net, train, args.budget, batch_size=args.batch_size,
                    optimizer=microgpt_adam(args.lr), callback=evaluate)
    seconds = time.process_time() - started - record["evaluating"]
    return {"seconds": seconds, "steps": record["steps"], "held_out": record["held_out"],
            "reached": record["held_out"] <= target}


def main() -> None:
    args = parse()
    steps = 100 if args.quick else args.steps
    header(f"microgpt's recipe, {steps} steps, against purenn")
    docs = read_names(args.data) if args.data else made_up_names(32033, seed=0)
    print(f"data: {args.data or 'made-up names (no --data)'}, {len(docs)} names")
    rng = random.Random(42)
    shuffled = list(docs)
    rng.shuffle(shuffled)
    state = microgpt_state_dict(rng, Tokenizer(shuffled).vocab_size)
    results: Dict[str, Any] = {"steps": steps, "data": args.data or "made-up names"}
    ours = purenn_steps(shuffled, state, steps)
    results["purenn_step"] = statistics.median(ours["times"])
    results["purenn_total"] = sum(ours["times"])
    module = engine()
    reference = ours["net"]
    if module is None:
        print("microgpt is not installed (pip install --no-deps strands-microgpt==0.1.0): "
              "purenn alone")
    else:
        theirs = microgpt_steps(module, docs, steps)
        results["microgpt_step"] = statistics.median(theirs["times"])
        results["microgpt_total"] = sum(theirs["times"])
        results["speedup"] = results["microgpt_step"] / results["purenn_step"]
        same = sum(f"{a:.4f}" == f"{b:.4f}" for a, b in zip(ours["losses"], theirs["losses"]))
        results["same_printed_losses"] = same
        reference = from_microgpt(theirs["state"], n_head=4)
    print(f"\none step (median): purenn {results['purenn_step'] * 1e3:.2f} ms"
          + (f", microgpt {results['microgpt_step'] * 1e3:.1f} ms: "
             f"{results['speedup']:.0f}× faster; printed losses equal at "
             f"{results['same_printed_losses']} of {steps} steps" if module else ""))
    tokenizer = Tokenizer(shuffled)
    encoded = [tokenizer.encode(doc) for doc in shuffled]
    cut = len(encoded) - len(encoded) // 10
    target = sequence_loss(reference, encoded[cut:])
    results["target_held_out"] = target
    fast = time_to_quality(args, encoded[:cut], encoded[cut:], state, target)
    results["fast"] = fast
    print(f"held-out loss after microgpt's {steps} steps: {target:.4f}")
    print(f"purenn batch {args.batch_size}, lr {args.lr}: {fast['held_out']:.4f} after "
          f"{fast['steps']} steps, {fast['seconds']:.2f} s of training"
          + ("" if fast["reached"] else " (NOT reached within the budget)"))
    if module is not None:
        total = results["microgpt_total"]
        results["quality_ratio"] = fast["seconds"] / total
        results["exact_ratio"] = results["purenn_total"] / total
        print(f"microgpt's run took {total:.1f} s; its quality (the same numbers) in purenn's "
              f"reproduction took {results['purenn_total']:.2f} s, "
              f"1/{1 / results['exact_ratio']:.0f} of its time; the batched recipe's, "
              f"1/{1 / results['quality_ratio']:.0f}")
    save(args.json, results)


if __name__ == "__main__":
    main()
