"""Draw the pictures the README shows, into docs/.

Run: python3 docs/make_pictures.py   (about ten seconds; every run gives the same pictures)

- seed_loss.svg, seed_architecture.svg: the README's seed example, 1500 epochs;
- spirals_boundary.svg: examples/spirals.py's network and training, over all 300 points;
- gradcheck_sweep.svg: ``python3 -m purenn gradcheck --sweep`` as a picture;
- names_loss.svg: microgpt's recipe (examples/microgpt.py) on made-up names, 1,000 steps, the
  training loss averaged over every 20 steps and the loss on 300 held-out names.
"""

import pathlib
import random
import sys

# Run from the checkout, Python puts docs/ on sys.path, not the checkout: the checkout goes
# first, so its purenn is found without installing it.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import purenn as pn
from purenn.cli import seed_network
from purenn.gradient_checking import step_sweep
from purenn.models import (
    Tokenizer,
    from_microgpt,
    made_up_names,
    microgpt_adam,
    microgpt_state_dict,
    sequence_loss,
    train_steps,
)
from purenn.plot import architecture, decision_boundary, loss_curve, sweep
from purenn.schedules import LinearDecay

DOCS = pathlib.Path(__file__).resolve().parent


def seed_example() -> None:
    x, y = pn.datasets.seed_data()
    net = pn.Network([pn.Dense(3, 4, activation="sigmoid"),
                      pn.Dense(4, 1, activation="sigmoid")], loss="sse", seed=1)
    history = net.fit(x, y, epochs=1500, learning_rate=1.0)
    loss_curve(history, DOCS / "seed_loss.svg", log_scale=True,
               title="The seed example: 3-4-1 sigmoid network, SSE, learning rate 1")
    architecture(net, DOCS / "seed_architecture.svg",
                 title="The seed example after 1500 epochs")


def spirals() -> None:
    x, labels = pn.datasets.spirals(100, classes=3, seed=0)
    x_train, _, y_train, _ = pn.datasets.train_test_split(x, labels, 0.25, seed=1)
    net = pn.Network([pn.Dense(2, 32, "relu", init="he_normal"),
                      pn.Dense(32, 32, "relu", init="he_normal"),
                      pn.Dense(32, 3)], loss="cross_entropy", seed=0)
    net.fit(x_train, y_train, epochs=60, batch_size=32, optimizer=pn.Adam(lr=0.01))
    decision_boundary(net, x, labels, DOCS / "spirals_boundary.svg",
                      title="Three spirals: 2-32-32-3 ReLU network, 60 epochs of Adam")


def gradient_check() -> None:
    x, y = pn.datasets.seed_data()
    sweep(step_sweep(seed_network(1), x, y), DOCS / "gradcheck_sweep.svg",
          title="Gradient check of the seed network: error against step size")


def names_model(steps: int = 1000, every: int = 20) -> None:
    rng = random.Random(42)
    names = made_up_names(32033)
    rng.shuffle(names)
    tokenizer = Tokenizer(names)
    encoded = [tokenizer.encode(name) for name in names]
    net = from_microgpt(microgpt_state_dict(rng, tokenizer.vocab_size), n_head=4)
    optimizer, schedule = microgpt_adam(), LinearDecay(steps)
    history = pn.History()
    for start in range(0, steps, every):
        losses = train_steps(net, encoded, every, optimizer=optimizer, schedule=schedule,
                             start=start)
        history.record({"loss": sum(losses) / every,
                        "val_loss": sequence_loss(net, encoded[-300:])})
    loss_curve(history, DOCS / "names_loss.svg",
               title=f"microgpt's recipe on made-up names (one epoch = {every} steps)")


if __name__ == "__main__":
    names_model()
    seed_example()
    spirals()
    gradient_check()
    for picture in sorted(DOCS.glob("*.svg")):
        print(f"{picture.name}: {picture.stat().st_size / 1000:.1f} kB")
