"""The transparency log's rules for what a proof may be asked about.

Inclusion is proven in the tree of a signed checkpoint (any one kept, the latest by default):
a proof against a size nobody signed would prove nothing anyone holds. Consistency is proven
between any two sizes up to the latest checkpoint's, the first at least 1 (every tree extends
the empty one, and RFC 9162 has no proof for it)."""

from __future__ import annotations

from collections.abc import Callable

from complaints.domain.errors import CheckpointNotFound, FieldError, ValidationFailed
from complaints.domain.text import Text


def inclusion_tree_size(
    requested: int | None, latest: int | None, signed: Callable[[int], bool]
) -> int:
    """The tree size to prove inclusion in: the requested checkpoint's, or the latest's."""
    if latest is None:
        raise CheckpointNotFound(Text("The log has signed no checkpoint yet."))
    if requested is None:
        return latest
    if not signed(requested):
        raise CheckpointNotFound(
            Text("No checkpoint was signed at tree size {size}.", size=requested)
        )
    return requested


def consistency_sizes(first: int, second: int | None, latest: int | None) -> tuple[int, int]:
    """The two sizes to prove consistent: `second` defaults to the latest checkpoint's."""
    if latest is None:
        raise CheckpointNotFound(Text("The log has signed no checkpoint yet."))
    second = latest if second is None else second
    problems = []
    if first < 1:
        problems.append(FieldError("firstSize", Text("must be at least 1")))
    if second > latest:
        problems.append(
            FieldError(
                "secondSize",
                Text("must not exceed the latest checkpoint's {size}", size=latest),
            )
        )
    if first > second:
        problems.append(FieldError("firstSize", Text("must not exceed secondSize")))
    if problems:
        raise ValidationFailed(problems)
    return first, second
