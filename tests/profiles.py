"""Hypothesis profiles: how many examples the property tests draw, and from what.

- "thorough", the default outside CI: every property test at its full figures (the state machine
  in tests/domain/test_invariants.py: 200 runs of 100 steps; the fuzzing in
  tests/reliability/test_fuzz.py: 5,000 requests), exploring afresh on each run and remembering
  failures in .hypothesis/ (ignored by git).
- "ci", the default under CI=true: no example database (nothing an earlier run left behind may
  change what runs), the same examples every time (`derandomize`), and fewer of them, sized so
  that the property tests take at most BUDGET_SECONDS of test time in all on the 2-core CI
  machine: the state machine 50 runs of 100 steps, the fuzzing 1,000 requests.

HYPOTHESIS_PROFILE=thorough (or ci) picks one whatever CI says, e.g.
`HYPOTHESIS_PROFILE=thorough CI=true make test`.
"""

from __future__ import annotations

import os

from hypothesis import settings

THOROUGH = "thorough"
CI = "ci"
#: What the "ci" profile's property tests may take, in seconds of test time summed over them
#: (whichever worker runs each), on the 2-core CI machine with the rest of the parallel pass
#: running beside them. They take about half of it on an idle machine.
BUDGET_SECONDS = 120

settings.register_profile(THOROUGH, settings.get_profile("default"))
# On hypothesis's own "ci" profile, which it loads when CI is set: no deadline, nor the too_slow
# health check (a busy machine is not a slow test).
settings.register_profile(
    CI, settings.get_profile("ci"), database=None, derandomize=True, print_blob=True
)


def chosen() -> str:
    named = os.environ.get("HYPOTHESIS_PROFILE", "")
    if named:
        if named not in {THOROUGH, CI}:
            msg = f"HYPOTHESIS_PROFILE must be {THOROUGH} or {CI}, not {named!r}"
            raise ValueError(msg)
        return named
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    return CI if in_ci else THOROUGH


PROFILE = chosen()
settings.load_profile(PROFILE)


def examples(*, thorough: int, ci: int) -> int:
    """A property test's number of examples under the loaded profile."""
    return ci if PROFILE == CI else thorough
