"""Language models built from purenn's layers: microgpt's GPT, its training recipe, sampling,
and names as a data set.

    gpt        the architecture from its sizes; from_microgpt / to_microgpt, the bridge to
               microgpt's own parameters (a dict of rows); microgpt_state_dict, its weights
               drawn as it draws them
    recipe     train_steps: microgpt's loop (one name or a batch per step, Adam, linear decay)
    sampling   generate: the next token from softmax(logits / temperature), seeded
    names      read_names, Tokenizer (microgpt's, with BOS), made_up_names

>>> import random
>>> import purenn as pn
>>> names = pn.models.made_up_names(50)
>>> tokenizer = pn.models.Tokenizer(names)
>>> net = pn.models.gpt(tokenizer.vocab_size, block_size=16, seed=0)
>>> losses = pn.models.train_steps(net, [tokenizer.encode(n) for n in names], steps=5)
>>> name = tokenizer.decode(pn.models.generate(net, random.Random(0), tokenizer.bos))
"""

from purenn.models.gpt import from_microgpt, gpt, microgpt_names, microgpt_state_dict, to_microgpt
from purenn.models.names import Tokenizer, made_up_names, read_names
from purenn.models.recipe import microgpt_adam, sequence_batch, sequence_loss, train_steps
from purenn.models.sampling import generate

__all__ = [
    "gpt",
    "from_microgpt",
    "to_microgpt",
    "microgpt_names",
    "microgpt_state_dict",
    "train_steps",
    "microgpt_adam",
    "sequence_batch",
    "sequence_loss",
    "generate",
    "read_names",
    "Tokenizer",
    "made_up_names",
]
