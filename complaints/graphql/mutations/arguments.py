"""A mutation's input becomes its command's keyword arguments, by name.

Each parameter of the application command after the actor is read from the input field of the
same Python name, converted as the field's type says:
- a `ComplaintId` or `ViolationId` becomes its UUID (a bad one is refused, naming the field);
- a `MoneyInput`, `RemedyInput` or `EvidenceFileInput` becomes the domain's `Money`, `Remedy`
  or `Attachment`, and a list of them a list of those;
- a field left null, or an optional id left blank, passes the parameter's default.
A parameter that stands for several fields is assembled from the fields named like the
assembler's own parameters (`assemble={"policy": AfterSalesPolicy}`). A field that reaches no
parameter must be named in `ignoring`.

Every parameter is passed, so a keyed call's fingerprint names them all, as it always has. The
binding is checked when the schema is built: a misnamed or forgotten field fails then.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, Union

import strawberry
from eventsourcing.domain import Aggregate

from complaints.application import Command, ComplaintsApp
from complaints.domain.values import Actor
from complaints.graphql import ids
from complaints.graphql.errors import camel
from complaints.graphql.inputs import EvidenceFileInput, GlobalIdOf, MoneyInput, RemedyInput

A = TypeVar("A", bound=Aggregate)
Read = Callable[[Any], object]

#: Every input has it; it goes to the application beside the arguments, not among them.
KEY = "idempotency_key"
#: Inputs whose `value()` is the domain value their command takes (alone, or in a list).
VALUE_INPUTS = (MoneyInput, RemedyInput, EvidenceFileInput)


@dataclass(frozen=True)
class Binding(Generic[A]):
    """How one command is called with one input type."""

    command: Command[Any, ..., A]
    input_type: type[Any]
    readers: Mapping[str, Read]

    def arguments(self, input: Any) -> dict[str, object]:
        return {name: read(input) for name, read in self.readers.items()}

    def run(self, app: ComplaintsApp, actor: Actor, input: Any) -> A:
        return self.command.run(app, getattr(input, KEY), actor, **self.arguments(input))


def bind(
    command: Command[Any, ..., A],
    input_type: type[Any],
    *,
    assemble: Mapping[str, Callable[..., object]] | None = None,
    ignoring: Collection[str] = (),
) -> Binding[A]:
    """Bind `command` to `input_type`; refuse now any parameter or field left unmatched."""
    hints = typing.get_type_hints(input_type, include_extras=True)
    fields = [f.name for f in dataclasses.fields(input_type) if f.name != KEY]
    self_, actor, *parameters = command.signature.parameters.values()
    if (self_.name, actor.name) != ("self", "actor"):
        raise TypeError(f"{command.name} does not take the actor first")
    readers: dict[str, Read] = {}
    read_fields = set(ignoring)
    for parameter in parameters:
        name = parameter.name
        if assemble and name in assemble:
            parts = list(inspect.signature(assemble[name]).parameters)
            readers[name] = _assembled(assemble[name], parts)
            read_fields.update(parts)
        elif name in fields:
            readers[name] = _reader(parameter, hints[name])
            read_fields.add(name)
        else:
            raise TypeError(f"{input_type.__name__} has no field {name!r} for {command.name}")
    if unread := sorted(set(fields) - read_fields):
        raise TypeError(f"{input_type.__name__}: {unread} reach no parameter of {command.name}")
    if unknown := sorted(read_fields - set(fields)):
        raise TypeError(f"{input_type.__name__} has no fields {unknown} for {command.name}")
    return Binding(command, input_type, readers)


def _reader(parameter: inspect.Parameter, hint: object) -> Read:
    name = parameter.name
    absent = None if parameter.default is inspect.Parameter.empty else parameter.default
    kind, optional = _unwrap_optional(hint)
    convert = _converter(kind, camel(name))
    blank_is_absent = optional and _base(kind) is strawberry.ID

    def read(input: Any) -> object:
        value = getattr(input, name)
        if value is None or (blank_is_absent and not value):
            return absent
        return convert(value)

    return read


def _assembled(assembler: Callable[..., object], parts: list[str]) -> Read:
    return lambda input: assembler(**{part: getattr(input, part) for part in parts})


def _converter(kind: object, field: str) -> Callable[[Any], object]:
    marks = [m for m in getattr(kind, "__metadata__", ()) if isinstance(m, GlobalIdOf)]
    if marks:
        return lambda value: ids.parse_uuid(marks[0].kind, value, field)
    if _base(kind) in VALUE_INPUTS:
        return lambda value: value.value()
    if typing.get_origin(kind) is list and typing.get_args(kind)[0] in VALUE_INPUTS:
        return lambda values: [value.value() for value in values]
    return lambda value: value


def _unwrap_optional(hint: object) -> tuple[object, bool]:
    """`X | None` -> (X, True); `X` -> (X, False)."""
    if typing.get_origin(hint) in (Union, types.UnionType):
        kinds = [k for k in typing.get_args(hint) if k is not type(None)]
        if len(kinds) == 1:
            return kinds[0], True
    return hint, False


def _base(kind: object) -> object:
    """The type under `Annotated[...]`."""
    return typing.get_args(kind)[0] if typing.get_origin(kind) is Annotated else kind
