"""The topics our stored data names, and the checked-in list of them (tests/store/topics.txt).

eventsourcing writes `module:Class` topics into the store: every stored event's and snapshot's
class, and, inside the data, the aggregate's class (`originator_topic` of a created event, `topic`
of a snapshot). A class that moves or is renamed leaves those old topics behind, and loading them
fails unless each old topic is still registered with `eventsourcing.utils.register_topic`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.domain import BaseAggregate, CanMutateAggregate, CanSnapshotAggregate
from eventsourcing.utils import TopicError, get_topic, resolve_topic

import complaints

LIST = Path(__file__).with_name("topics.txt")
ARROW = " -> "


@dataclass(frozen=True)
class Line:
    """One line of the list: a topic as stored (`stored`), and where its class is now found
    (`current`: the same topic, unless the class moved)."""

    number: int
    stored: str
    current: str

    @property
    def moved(self) -> bool:
        return self.stored != self.current

    def __str__(self) -> str:
        return f"{self.stored}{ARROW}{self.current}" if self.moved else self.stored


def read_list(path: Path = LIST) -> list[Line]:
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        stored, arrow, current = text.partition(ARROW)
        lines.append(Line(number, stored.strip(), current.strip() if arrow else stored.strip()))
    return lines


def listed_topics(lines: list[Line]) -> set[str]:
    """Every topic the list names: as stored, and where the class is now."""
    return {line.stored for line in lines} | {line.current for line in lines}


def import_package() -> None:
    """Import every module of the package, so that every aggregate class is defined (and every
    `register_topic` of an old topic has run)."""
    for module in pkgutil.walk_packages(complaints.__path__, f"{complaints.__name__}."):
        if module.name.rsplit(".", 1)[-1] != "__main__":
            importlib.import_module(module.name)


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def aggregate_classes() -> list[type]:
    """Every aggregate class the package defines, found by walking the package."""
    import_package()
    prefix = f"{complaints.__name__}."
    found = {c for c in _subclasses(BaseAggregate) if c.__module__.startswith(prefix)}
    return sorted(found, key=get_topic)


def stored_classes(aggregate: type) -> list[type]:
    """The classes whose topics an aggregate's stored data can name: the aggregate class itself,
    each event class nested in it (bases such as `Event` and `Created` too: they are never stored
    themselves, but cost nothing to keep) and the snapshot class the application takes with
    (`Aggregate.Snapshot`, the library's own, unless the aggregate nests its own)."""
    classes: list[type] = [aggregate]
    for value in vars(aggregate).values():
        if isinstance(value, type) and issubclass(value, CanMutateAggregate | CanSnapshotAggregate):
            classes.append(value)
    snapshot = getattr(aggregate, "Snapshot", None)
    if isinstance(snapshot, type) and snapshot not in classes:
        classes.append(snapshot)
    return classes


def current_topics() -> dict[str, type]:
    """Topic -> class, for every class the stored data of any aggregate can name."""
    return {
        get_topic(cls): cls
        for aggregate in aggregate_classes()
        for cls in stored_classes(aggregate)
    }


def unlisted(lines: list[Line], current: dict[str, type]) -> list[str]:
    """Topics our data can name that the list lacks, each with what to do about it."""
    listed = {line.current for line in lines}
    found = []
    for topic in sorted(t for t in current if t not in listed):
        old = [
            line for line in lines if not line.moved and _resolves(line.stored) is current[topic]
        ]
        if old:
            found.append(
                f"{topic}: the class moved; rewrite line {old[0].number} as"
                f" `{old[0].stored}{ARROW}{topic}`"
            )
        else:
            found.append(f"{topic}: a new class; add this line")
    return found


def _resolves(topic: str) -> object:
    try:
        return resolve_topic(topic)
    except TopicError:
        return None


def unresolved(lines: list[Line]) -> list[str]:
    """What is wrong with each line whose stored topic no longer finds the class it names."""
    found = []
    for line in lines:
        where = f"{LIST.name}:{line.number}: {line}"
        try:
            cls = resolve_topic(line.current)
        except TopicError as error:
            found.append(
                f"{where}: nothing is found at {line.current!r} ({error}). If the class moved"
                " or was renamed, register its old topic where it is now defined and write"
                f" the line as `old{ARROW}new` (see the header)"
            )
            continue
        now = get_topic(cls)
        if now != line.current:
            found.append(
                f"{where}: that class is now at {now!r}; write the line as"
                f" `{line.stored}{ARROW}{now}`"
            )
            continue
        try:
            stored = resolve_topic(line.stored)
        except TopicError:
            stored = None
        if stored is not cls:
            found.append(
                f"{where}: the stored topic {line.stored!r} must still resolve to"
                f" {cls.__module__}.{cls.__qualname__}: call"
                f' register_topic("{line.stored}", {cls.__qualname__}) where that class is'
                " now defined (or register the aggregate's old topic, which covers its events)"
            )
    return found
