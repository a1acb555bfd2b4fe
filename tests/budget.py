"""The hypothesis profile of this run, and how many examples a test that sets its own count draws.

"quick" (the default: the README's command and CI's jobs but two) draws a quarter of each count,
"ci" (CI's py313 and slow jobs) the count itself, "dev" ten times as many.  A test with a
count of its own writes ``@settings(max_examples=examples(40))``, so the profile scales it too.
"""

import os

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")
SCALE = {"quick": 0.25, "ci": 1.0, "dev": 10.0}
FEWEST = 5  # below this a property test hardly explores: the quick profile keeps at least 5


def examples(count):
    """``count`` scaled by the profile: 40 → 10 quick, 40 ci, 400 dev."""
    return max(FEWEST, round(count * SCALE.get(PROFILE, 1.0)))
