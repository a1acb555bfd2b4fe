"""Train a small GPT on names and sample new ones: a demo of purenn's sequence layers.

    python3 examples/names.py --data names.txt           # makemore's 32,033 names
    python3 examples/names.py                            # made-up names, no file needed
    python3 examples/names.py --steps 600 --n-layer 2 --batch-size 16

A progress line (to stderr) shows the step, the training loss, the steps per second and the
time left; at the end, the loss on held-out names (the last 10%, never trained on), the curve of
the training loss, and sampled names.
"""

import argparse
import random
import sys
import time

import purenn as pn
from purenn.models import (
    Tokenizer,
    generate,
    gpt,
    made_up_names,
    microgpt_adam,
    read_names,
    sequence_loss,
    train_steps,
)
from purenn.progress import format_duration, sparkline


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="a file of one name a line, e.g. makemore's names.txt")
    parser.add_argument("--steps", type=int, default=300, help="training steps (300)")
    parser.add_argument("--batch-size", type=int, default=8, help="names per step (8)")
    parser.add_argument("--lr", type=float, default=0.02, help="Adam's starting rate (0.02)")
    parser.add_argument("--n-layer", type=int, default=1, help="transformer blocks (1)")
    parser.add_argument("--samples", type=int, default=10, help="names to sample (10)")
    parser.add_argument("--temperature", type=float, default=0.5, help="sampling (0.5)")
    parser.add_argument("--seed", type=int, default=0, help="weights, order and samples (0)")
    parser.add_argument("--limit", type=int, help="use only the first LIMIT names")
    return parser.parse_args(argv)


class Progress:
    """The progress line: redrawn in place on a terminal, every tenth of the run elsewhere."""

    def __init__(self, steps, stream=sys.stderr):
        self.steps, self.stream, self.started = steps, stream, time.perf_counter()
        self.every = 1 if stream.isatty() else max(1, steps // 10)

    def __call__(self, step, loss):
        if step % self.every and step != self.steps:
            return
        rate = step / max(time.perf_counter() - self.started, 1e-9)
        text = (f"step {step}/{self.steps}  loss {loss:.4f}  {rate:.1f} steps/s  "
                f"ETA {format_duration((self.steps - step) / rate)}")
        end = "\r" if self.stream.isatty() and step != self.steps else "\n"
        self.stream.write(text.ljust(60) + end)
        self.stream.flush()


def main(argv=None):
    """Train, report, sample; return (held-out loss, the sampled names)."""
    args = parse(argv)
    rng = random.Random(args.seed)
    docs = read_names(args.data) if args.data else made_up_names(32033, seed=args.seed)
    docs = docs[:args.limit] if args.limit else docs
    rng.shuffle(docs)
    tokenizer = Tokenizer(docs)
    encoded = [tokenizer.encode(doc) for doc in docs]
    cut = len(encoded) - len(encoded) // 10
    net = gpt(tokenizer.vocab_size, n_layer=args.n_layer, seed=args.seed)
    print(f"{len(docs)} names ({args.data or 'made up'}), vocabulary {tokenizer.vocab_size}, "
          f"{sum(p.shape[0] * p.shape[1] for p in net.parameters())} parameters")
    losses = train_steps(net, encoded[:cut], args.steps, batch_size=args.batch_size,
                         optimizer=microgpt_adam(args.lr), callback=Progress(args.steps))
    held_out = sequence_loss(net, encoded[cut:])
    print(f"loss {sparkline(losses)} {losses[0]:.3f} → {losses[-1]:.3f}")
    print(f"held-out loss {held_out:.4f} on {len(encoded) - cut} names never trained on")
    samples = [tokenizer.decode(generate(net, rng, tokenizer.bos, args.temperature))
               for _ in range(args.samples)]
    print("samples:", ", ".join(samples))
    return held_out, samples


if __name__ == "__main__":
    try:
        main()
    except pn.PurennError as error:
        raise SystemExit(f"names.py: {error}") from None
