"""Every value of an enum the platform names in its sentences has its words (a new deadline kind
without them would fail the sentence that names it, at the moment it is written)."""

from __future__ import annotations

from enum import Enum

import pytest

from complaints.domain.labels import LABELS, label
from complaints.domain.text import Text

ENUMS = sorted({type(value) for value in LABELS}, key=lambda e: e.__name__)


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_value_of_a_named_enum_has_its_words(enum: type[Enum]) -> None:
    for value in enum:
        words = label(value)
        assert isinstance(words, Text)
        assert words.strip(), value
