"""What a transparency-log proof may be asked about: a signed checkpoint's tree for inclusion,
sizes up to the latest checkpoint's for consistency."""

from __future__ import annotations

import pytest

from complaints.domain.errors import CheckpointNotFound, ValidationFailed
from complaints.domain.transparency import consistency_sizes, inclusion_tree_size


def test_inclusion_is_in_the_latest_checkpoint_unless_another_is_named() -> None:
    assert inclusion_tree_size(None, 40, lambda n: n in {10, 40}) == 40
    assert inclusion_tree_size(10, 40, lambda n: n in {10, 40}) == 10


def test_inclusion_in_a_size_nobody_signed_is_refused() -> None:
    with pytest.raises(CheckpointNotFound, match="tree size 11"):
        inclusion_tree_size(11, 40, lambda n: n in {10, 40})
    with pytest.raises(CheckpointNotFound, match="no checkpoint yet"):
        inclusion_tree_size(None, None, lambda n: False)


def test_consistency_defaults_to_the_latest_checkpoint() -> None:
    assert consistency_sizes(3, None, 40) == (3, 40)
    assert consistency_sizes(40, 40, 40) == (40, 40)


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [(0, 10, "firstSize"), (11, 10, "firstSize"), (5, 41, "secondSize")],
)
def test_impossible_sizes_are_refused_by_field(first: int, second: int, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        consistency_sizes(first, second, 40)
    assert field in {f.field for f in refused.value.fields}
