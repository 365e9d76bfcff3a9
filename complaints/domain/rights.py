"""The shape every aggregate's rule table shares: who may do what, in which states, under which
further rule.

Each aggregate keeps one table, `dict[Action, Permission]`, beside its own `Action` enum (named as
the mutations that call them). Its commands consult the table before they decide anything, and
its `allowed_actions` is derived from the same table, so what a frontend offers and what the
aggregate accepts cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeAlias, TypeVar

from complaints.domain.errors import DomainError, ReadOnlyRole, RoleNotAllowed
from complaints.domain.text import Text
from complaints.domain.values import Actor, Role

SubjectT = TypeVar("SubjectT")
StateT = TypeVar("StateT")
ActionT = TypeVar("ActionT", bound=Enum)

#: A rule beyond role and state: takes the aggregate, the actor and the time, and raises its own
#: refusal (a `DomainError`) when the action is not open to this actor now.
Guard: TypeAlias = Callable[[SubjectT, Actor, datetime], None]


@dataclass(frozen=True)
class Permission(Generic[SubjectT, StateT]):
    roles: frozenset[Role]
    states: frozenset[StateT]
    guard: Guard[SubjectT] | None = None


def allow(
    roles: Set[Role], states: Set[StateT], guard: Guard[SubjectT] | None = None
) -> Permission[SubjectT, StateT]:
    return Permission(frozenset(roles), frozenset(states), guard)


def check_role(permission: Permission[Any, Any], action: Enum, actor: Actor, *, reads: str) -> None:
    """The first check of every command: auditors read (`reads`: what they read here) but
    command nothing; any other role only what the table lets it."""
    if actor.role is Role.AUDITOR:
        raise ReadOnlyRole(Text("Auditors read {reads} but command none.", reads=reads))
    if actor.role not in permission.roles:
        raise RoleNotAllowed(
            Text("A {role} may not {action}.", role=actor.role.value.lower(), action=action.value)
        )


def allowed(actions: Iterable[ActionT], check: Callable[[ActionT], None]) -> list[str]:
    """The names (enum values) of the actions that `check` does not refuse, in table order."""
    names = []
    for action in actions:
        try:
            check(action)
        except DomainError:
            continue
        names.append(str(action.value))
    return names
