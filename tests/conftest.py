"""Hypothesis profiles shared by the whole suite.

"ci" is deterministic (derandomize, no deadline, no example database), so CI never flakes;
"quick" is the same with fewer examples, for the slower interpreters; "dev" explores more.
Choose with HYPOTHESIS_PROFILE=<name>; "ci" is the default.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=100,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("quick", parent=settings.get_profile("ci"), max_examples=25)
settings.register_profile("dev", deadline=None, max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
