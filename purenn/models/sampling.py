"""Sampling from a language model: the next token drawn from softmax(logits / temperature),
token by token, from a seeded generator."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from purenn.activations import softmax
from purenn.arguments import check_int, check_real
from purenn.errors import ConfigurationError
from purenn.training import in_mode

if TYPE_CHECKING:
    from purenn.network import Network

__all__ = ["generate"]


def generate(
    net: Network, rng: random.Random, bos: int, temperature: float = 0.5,
    max_tokens: int | None = None,
) -> list[int]:
    """One sequence of token ids sampled from ``net`` (a network of token ids to next-token
    logits, such as ``gpt``'s), as microgpt samples: start from [bos]; at each position t draw
    the next id from p = softmax(z_t / temperature) with ``rng.choices``; stop at ``bos``
    (not included) or after ``max_tokens`` ids (default: the block size).

    Each step runs the network on the whole prefix (its causal attention makes the last
    position's logits those of microgpt's step with its key/value cache), in evaluation mode.

    >>> from purenn.models import gpt
    >>> net = gpt(5, block_size=4, n_embd=4, n_head=2, seed=0)
    >>> ids = generate(net, random.Random(0), bos=4)
    >>> len(ids) <= 4 and all(0 <= token < 4 for token in ids)
    True
    """
    if not isinstance(rng, random.Random):
        raise ConfigurationError(f"generate: rng must be a random.Random, got {type(rng).__name__}")
    vocab = net.n_out // net.n_in
    bos = check_int(bos, "bos", "generate", 0, vocab - 1)
    temperature = check_real(temperature, "temperature", "generate", low=0.0, include_low=False)
    limit = net.n_in if max_tokens is None else check_int(
        max_tokens, "max_tokens", "generate", 1, net.n_in)
    tokens = [bos]
    with in_mode(net, False):
        for _ in range(limit):
            logits = net.forward([[float(token) for token in tokens]])[0][-vocab:]
            weights = softmax([value / temperature for value in logits])
            token = rng.choices(range(vocab), weights=weights)[0]
            if token == bos:
                break
            tokens.append(token)
    return tokens[1:]
