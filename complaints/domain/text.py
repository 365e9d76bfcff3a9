"""Sentences the platform writes, in English, with what it takes to say them in another language.

The domain knows nothing of who reads a sentence or in which language. A refusal, a timeline
summary or a rule's text is a `Text`: the English sentence itself (it *is* a `str`, so logs, the
command line and every English reader use it as it is), and its source template and parameters,
so that the API renders it in the reader's language at the edge (`complaints.language`).

Templates use `str.format` fields by name (`"Offer {offer_id} is not open."`); a parameter may
itself be a `Text` (a label such as "not as described"), translated in its turn, or a list of
them (a list in the reader's language: "a, b" or "a、b"). Mark every
template with a literal `Text("...")` call: `pybabel extract -k Text` finds them there.
"""

from __future__ import annotations

from typing import Any

#: The languages the platform speaks (BCP 47): English, the source, then Simplified and
#: Traditional Chinese. `complaints.language` holds their names and catalogues.
LOCALES = ("en", "zh-Hans", "zh-Hant")


class Text(str):
    """A sentence in English (its `str` value) and its template and parameters."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Text:
        english = {
            k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in params.items()
        }
        self = super().__new__(cls, template.format(**english) if params else template)
        self.template = template
        self.params = params
        return self

    def __str__(self) -> str:
        """Itself, not a plain copy: what turns an error into a message (graphql-core's
        `located_error` takes `str(error.message)`) keeps the sentence translatable."""
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.template, self.params))

    def as_json(self) -> dict[str, Any]:
        """The template and parameters, nested texts included, as JSON-ready values."""
        return {"t": self.template, "p": {k: _dump(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Text:
        return cls(value["t"], **{k: _load(v) for k, v in value["p"].items()})


def _dump(value: Any) -> Any:
    if isinstance(value, Text):
        return value.as_json()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


def _load(value: Any) -> Any:
    if isinstance(value, dict):
        return Text.from_json(value)
    if isinstance(value, list):
        return [_load(v) for v in value]
    return value


def _rebuild(template: str, params: dict[str, Any]) -> Text:
    return Text(template, **params)
