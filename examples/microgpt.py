"""Karpathy's microgpt, run with purenn: the same data order, the same initial weights (drawn as
microgpt draws them), the same recipe, the same printout, step for step.

    python3 examples/microgpt.py --data names.txt              # microgpt's 1,000 steps
    python3 examples/microgpt.py --data names.txt --steps 100  # the decay over 100 steps
    python3 examples/microgpt.py --data names.txt --batch-size 32 --steps 300   # the fast way

``names.txt`` is makemore's list of 32,033 names, the file microgpt reads (it is not shipped
with purenn: give its path).  Without ``--data`` the example trains on made-up names.

microgpt.py, in order: ``random.seed(42)``; read the names and shuffle them; the tokenizer (the
sorted characters, then BOS); the weights, ``random.gauss(0, 0.08)`` matrix by matrix (wte, wpe,
lm_head, then each layer's attn_wq, attn_wk, attn_wv, attn_wo, mlp_fc1, mlp_fc2), row by row;
1,000 Adam steps (η = 0.01 falling linearly to 0, β = (0.85, 0.99), ε = 1e-8), step k on name
k; then 20 names sampled at temperature 0.5 from the same generator.
"""

import argparse
import random

import purenn as pn
from purenn.models import (
    Tokenizer,
    from_microgpt,
    generate,
    made_up_names,
    microgpt_adam,
    microgpt_state_dict,
    read_names,
    train_steps,
)


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="a file of one name a line, e.g. makemore's names.txt")
    parser.add_argument("--steps", type=int, default=1000, help="training steps (1000)")
    parser.add_argument("--batch-size", type=int, default=1, help="names per step (1)")
    parser.add_argument("--lr", type=float, default=0.01, help="Adam's starting rate (0.01)")
    parser.add_argument("--samples", type=int, default=20, help="names to sample (20)")
    parser.add_argument("--temperature", type=float, default=0.5, help="sampling (0.5)")
    return parser.parse_args(argv)


def main(argv=None):
    """Run microgpt's script with purenn; return (the loss of each step, the sampled names)."""
    args = parse(argv)
    rng = random.Random(42)  # microgpt's random.seed(42): every draw below comes from it
    docs = read_names(args.data) if args.data else made_up_names(32033, seed=0)
    rng.shuffle(docs)
    print(f"num docs: {len(docs)}")
    tokenizer = Tokenizer(docs)
    print(f"vocab size: {tokenizer.vocab_size}")
    net = from_microgpt(microgpt_state_dict(rng, tokenizer.vocab_size), n_head=4)
    print(f"num params: {sum(p.shape[0] * p.shape[1] for p in net.parameters())}")

    def report(step, loss):
        print(f"step {step:4d} / {args.steps:4d} | loss {loss:.4f}", end="\r")

    losses = train_steps(net, [tokenizer.encode(doc) for doc in docs], args.steps,
                         batch_size=args.batch_size, optimizer=microgpt_adam(args.lr),
                         callback=report)
    print("\n--- inference (new, hallucinated names) ---")
    samples = []
    for index in range(args.samples):
        samples.append(tokenizer.decode(generate(net, rng, tokenizer.bos, args.temperature)))
        print(f"sample {index + 1:2d}: {samples[-1]}")
    return losses, samples


if __name__ == "__main__":
    try:
        main()
    except pn.PurennError as error:
        raise SystemExit(f"microgpt.py: {error}") from None
