"""Policy what-if (issue 33): replay recorded cases under a proposed policy, beside what
happened. `cases.py` replays one case, `ladder.py` a shop's strikes, `run.py` a period."""

from complaints.application.whatif.cases import CaseResult, Difference, Divergence, Facts
from complaints.application.whatif.run import WhatIf, replay, to_json

__all__ = ["CaseResult", "Difference", "Divergence", "Facts", "WhatIf", "replay", "to_json"]
