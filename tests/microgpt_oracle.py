"""Karpathy's microgpt, the scalar-autograd GPT, as an oracle: its engine comes from the PyPI
package strands-microgpt (``pip install --no-deps strands-microgpt==0.1.0``), whose
``engine.py`` holds microgpt's Value, model and training loop unchanged in arithmetic.

The package's ``__init__`` imports the Strands agent framework, which the oracle does not need:
``engine.py`` (standard library only) is loaded by its path.  Where the package is missing the
caller is skipped (or fails where PURENN_REQUIRE lists "microgpt").

``microgpt_run`` reproduces microgpt.py's own script: ``random.seed(42)``, shuffle the
documents, draw the weights in its order, train, so its losses are microgpt's.
"""

import importlib.util
import pathlib
import random

from oracles import skip_if_omitted, unavailable

PACKAGE = "strands_microgpt"


def engine():
    """The engine module of strands-microgpt, or skip."""
    skip_if_omitted("microgpt")  # and counts as asked for, for the summary's check
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        unavailable("microgpt", "pip install --no-deps strands-microgpt==0.1.0 to compare")
    path = pathlib.Path(next(iter(spec.submodule_search_locations))) / "engine.py"
    module_spec = importlib.util.spec_from_file_location("microgpt_engine", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def microgpt_model(module, state, n_head=4):
    """microgpt's model holding ``state`` (name → rows of floats) as its Values."""
    n_layer = sum(1 for key in state if key.endswith(".attn_wq"))
    vocab, n_embd = len(state["wte"]), len(state["wte"][0])
    model = module.MicroGPT(vocab, n_layer=n_layer, n_embd=n_embd, block_size=len(state["wpe"]),
                            n_head=n_head)
    model.state_dict = {key: [[module.Value(x) for x in row] for row in matrix]
                        for key, matrix in state.items()}
    model.params = [p for matrix in model.state_dict.values() for row in matrix for p in row]
    return model


def loss_and_gradients(module, model, tokens):
    """microgpt's loss of one document (its ids with BOS at both ends) and ∂L/∂θ by name."""
    n = min(model.block_size, len(tokens) - 1)
    keys, values = [[] for _ in range(model.n_layer)], [[] for _ in range(model.n_layer)]
    losses = []
    for pos_id in range(n):
        logits = model.forward(tokens[pos_id], pos_id, keys, values)
        losses.append(-module._softmax(logits)[tokens[pos_id + 1]].log())
    loss = (1 / n) * sum(losses)
    loss.backward()
    gradients = {key: [[p.grad for p in row] for row in matrix]
                 for key, matrix in model.state_dict.items()}
    return loss.data, gradients


def microgpt_run(module, docs, steps, state_from_rng, n_head=4):
    """microgpt.py's run on ``docs``: seed 42, shuffle, weights drawn by ``state_from_rng(rng,
    vocab_size)`` from the shuffled generator (microgpt's order), ``steps`` steps.  Returns the
    losses and the trained model; the global generator is left as microgpt leaves it."""
    rng = random.Random(42)
    shuffled = list(docs)
    rng.shuffle(shuffled)
    tokenizer = module.Tokenizer.from_docs(shuffled)
    model = microgpt_model(module, state_from_rng(rng, tokenizer.vocab_size), n_head)
    # train_on_docs seeds the global generator with 42 and shuffles: the same order again.
    losses = model.train_on_docs(list(docs), tokenizer, num_steps=steps, log_every=0)
    return losses, model, tokenizer
