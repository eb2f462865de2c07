"""Random damage to a statement file (flipped bits, inserted and deleted bytes), seeded so a failure replays."""

from __future__ import annotations

import random


def mutate(data: bytes, rng: random.Random, *, alphabet: bytes = b'') -> bytes:
    """A copy with 1 to 6 changes; insertions favour the format's own characters (``alphabet``) to reach deeper."""
    mutated = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(mutated) + 1)
        operation = rng.choice(('flip', 'insert', 'delete')) if mutated else 'insert'
        if operation == 'insert':
            mutated.insert(at, rng.choice((rng.randrange(256), *alphabet)))
        elif at < len(mutated):
            if operation == 'flip':
                mutated[at] ^= 1 << rng.randrange(8)
            else:
                del mutated[at]
    return bytes(mutated)
