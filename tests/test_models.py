"""purenn.models against microgpt itself (tests/microgpt_oracle.py; skipped without the
strands-microgpt package): one name's loss and gradients, the losses of the first steps of its
run, and its samples; plus the bridge, the recipe and hostile input without the oracle."""

import random

import pytest
from microgpt_oracle import engine, loss_and_gradients, microgpt_model, microgpt_run

import purenn as pn
from purenn.models import (
    Tokenizer,
    from_microgpt,
    generate,
    made_up_names,
    microgpt_state_dict,
    sequence_batch,
    to_microgpt,
    train_steps,
)

# microgpt's autograd adds the same products in another order (a node's gradient accumulates
# child by child): the loss (≈ 3.3) and the gradients agree to a few ulps, far below 1e-12.
MICROGPT_TOL = 1e-12
# After k Adam steps the parameters still agree to ~1e-15 and the losses to ~1e-14; an update
# off by one step would move them by ~1e-2 (η = 0.01 per entry).
STEPS_TOL = 1e-11

NAMES = made_up_names(40, seed=3)


def _purenn_run(docs, steps, batch_size=1):
    rng = random.Random(42)
    shuffled = list(docs)
    rng.shuffle(shuffled)
    tokenizer = Tokenizer(shuffled)
    net = from_microgpt(microgpt_state_dict(rng, tokenizer.vocab_size), n_head=4)
    losses = train_steps(net, [tokenizer.encode(name) for name in shuffled], steps,
                         batch_size=batch_size)
    return losses, net, tokenizer, rng


def _padded(tokens):
    """(X, Y) of one document padded to the block of 16 (pad id 0, target −100)."""
    (x,), (y,) = sequence_batch([tokens], 16)
    return [x + [0.0] * (16 - len(x))], [y + [-100.0] * (16 - len(y))]


def test_one_name_gives_microgpts_loss_and_gradients():
    module = engine()
    tokenizer = Tokenizer(NAMES)
    state = microgpt_state_dict(random.Random(5), tokenizer.vocab_size)
    tokens = tokenizer.encode(NAMES[0])
    expected_loss, expected = loss_and_gradients(module, microgpt_model(module, state), tokens)
    net = from_microgpt(state, n_head=4)
    loss, gradients = net.gradients(*_padded(tokens))
    assert abs(loss - expected_loss) <= MICROGPT_TOL
    ours = to_microgpt(net, gradients)
    worst = max(abs(a - b) for key in expected for row_a, row_b in zip(ours[key], expected[key])
                for a, b in zip(row_a, row_b))
    assert worst <= MICROGPT_TOL
    # Negative control: the gradients of another name differ.
    other = to_microgpt(net, net.gradients(*_padded(tokenizer.encode(NAMES[1])))[1])
    assert other["wte"] != ours["wte"]


def test_the_first_steps_print_microgpts_losses():
    module = engine()
    steps = 2
    expected, model, _ = microgpt_run(module, NAMES, steps, microgpt_state_dict)
    losses, net, _, _ = _purenn_run(NAMES, steps)
    assert all(abs(a - b) <= STEPS_TOL for a, b in zip(losses, expected))
    theirs = {key: [[p.data for p in row] for row in matrix]
              for key, matrix in model.state_dict.items()}
    ours = to_microgpt(net)
    assert max(abs(a - b) for key in ours for ra, rb in zip(ours[key], theirs[key])
               for a, b in zip(ra, rb)) <= STEPS_TOL


def test_samples_are_microgpts():
    module = engine()
    tokenizer = Tokenizer(NAMES)
    state = microgpt_state_dict(random.Random(8), tokenizer.vocab_size)
    model = microgpt_model(module, state)
    random.seed(11)
    theirs = model.generate(module.Tokenizer(tokenizer.chars), num_samples=3, temperature=0.5)
    rng, net = random.Random(11), from_microgpt(state, n_head=4)
    ours = [tokenizer.decode(generate(net, rng, tokenizer.bos, 0.5)) for _ in range(3)]
    assert ours == theirs


# microgpt's own engine takes about half a second a step here: 50 steps (Adam's moments and the
# learning rate's whole linear decay) keep CI's slow job short; benchmarks/bench_microgpt.py
# compares all 1,000 steps of the real run.
LONG_RUN_STEPS = 50


@pytest.mark.slow
def test_a_long_run_prints_microgpts_losses_to_four_decimals():
    module = engine()
    expected, _, _ = microgpt_run(module, NAMES, LONG_RUN_STEPS, microgpt_state_dict)
    losses, _, _, _ = _purenn_run(NAMES, LONG_RUN_STEPS)
    assert len(losses) == LONG_RUN_STEPS
    assert [f"{a:.4f}" for a in losses] == [f"{b:.4f}" for b in expected]


def test_batched_steps_learn():
    losses, _, _, _ = _purenn_run(NAMES, 12, batch_size=4)
    assert sum(losses[-3:]) < sum(losses[:3])


def test_builder_and_bridge_agree_on_shapes():
    net = pn.models.gpt(7, block_size=5, n_embd=8, n_head=2, n_layer=2, seed=1)
    state = to_microgpt(net)
    assert [len(state[key][0]) for key in ("wte", "layer1.mlp_fc1", "layer1.mlp_fc2")] == [8, 8, 32]
    assert to_microgpt(from_microgpt(state, n_head=2)) == state


@pytest.mark.parametrize("change, error, message", [
    (lambda s: s.pop("wpe"), pn.ShapeError, "missing wpe"),
    (lambda s: s.update(extra=[[0.0]]), pn.ShapeError, "unknown 'extra'"),
    (lambda s: s.update({"lm_head": [[0.0] * 3]}), pn.ShapeError, "lm_head is 1×3"),
    (lambda s: s["wte"][0].__setitem__(0, "x"), pn.ShapeError, "wte"),
])
def test_from_microgpt_refuses_hostile_state(change, error, message):
    state = microgpt_state_dict(random.Random(0), 5, block_size=4, n_embd=4)
    change(state)
    with pytest.raises((error, pn.DataError), match=message):
        from_microgpt(state, n_head=2)


def test_hostile_recipe_and_sampling_arguments_are_refused():
    net = pn.models.gpt(5, block_size=4, n_embd=4, n_head=2, seed=0)
    with pytest.raises(pn.ConfigurationError, match="temperature"):
        generate(net, random.Random(0), 4, temperature=0.0)
    with pytest.raises(pn.ConfigurationError, match="bos"):
        generate(net, random.Random(0), 9)
    with pytest.raises(pn.ConfigurationError, match=r"documents\[1\]"):
        train_steps(net, [[4, 0, 4], [4]], 1)
    with pytest.raises(pn.DataError, match=r"documents\[0\]\[2\] is 7, not a token id"):
        train_steps(net, [[4, 0, 7, 4]], 1)
    with pytest.raises(pn.DataError, match=r"documents\[0\]\[1\] is True"):
        pn.models.sequence_loss(net, [[4, True, 4]])
