"""Input checks shared by the aggregates. They collect every problem, then refuse once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from complaints.domain.errors import FieldError, ValidationFailed
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.text import Text
from complaints.domain.values import MONETARY_REMEDIES, EvidenceFile, Money, Remedy, RemedyType

#: Length limits of inputs, in characters: each kind of field has one, wherever it appears.
NARRATIVE_MIN = 10  # a description or the grounds of an appeal must say something
NARRATIVE_MAX = 5000  # descriptions, findings, rationales, grounds of appeal
MESSAGE_MAX = 2000  # messages, comments, evidence descriptions, resolutions, declines
REASON_MAX = 1000  # the reason for a decision; a note with a request
SHORT_REASON_MAX = 500  # why the clock stops; why a deposit is deducted
LABEL_MAX = 200  # a shop's name; one item of the information a complaint lacks
SHIPMENT_MAX = 100  # a carrier's name; a tracking number
TERMS_MAX = 10000  # a seller's after-sales terms
IDENTIFIER_MAX = 64  # order and shop ids, codes, evidence kinds
MAX_ATTACHMENTS = 10  # files attached at once: when filing, or when resubmitting
PRINCIPAL_ID_MAX = 128  # the id of a person, as a token's subject carries it

#: Currencies whose minor unit is not the cent.
_ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD"})
MAX_AMOUNT = Decimal("1000000000")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
#: The name of an uploaded file: the sha256 of its bytes, in lowercase hex.
SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: The currencies of ISO 4217 in use: what a marketplace's order may be paid in.
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()  # noqa: SIM905 - a table of codes, read as one
)


class Checks:
    """Collects field errors; `done()` raises them all at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def require(self, condition: bool, field: str, message: str) -> None:
        if not condition:
            self.fail(field, message)

    def text(self, field: str, value: str | None, *, min_len: int = 1, max_len: int) -> None:
        if value is None:
            return
        stripped = value.strip()
        if len(stripped) < min_len:
            if min_len <= 1:
                self.fail(field, Text("must not be empty"))
            else:
                self.fail(field, Text("must be at least {min_len} characters", min_len=min_len))
        elif len(value) > max_len:
            self.fail(field, Text("must be at most {max_len} characters", max_len=max_len))
        elif "\x00" in value:
            self.fail(field, Text("must not contain NUL characters"))

    def identifier(self, field: str, value: str, *, max_len: int = IDENTIFIER_MAX) -> None:
        if not is_identifier(value, max_len):
            self.fail(
                field,
                Text(
                    "must be 1-{max_len} letters, digits or . _ : - and start with a letter or"
                    " digit",
                    max_len=max_len,
                ),
            )

    def codes(self, field: str, values: Iterable[str], *, max_items: int = 20) -> None:
        items = list(values)
        if len(items) > max_items:
            self.fail(field, Text("must list at most {max_items} items", max_items=max_items))
        for i, value in enumerate(items):
            if not value or len(value) > IDENTIFIER_MAX or not _IDENTIFIER.match(value):
                self.fail(f"{field}.{i}", Text("must be a code of letters, digits or . _ : -"))

    def rule_codes(self, field: str, codes: Iterable[str], *, required: bool) -> None:
        """Codes must name rules of the platform rulebook; decisions must cite at least one."""
        items = list(codes)
        if required and not items:
            self.fail(field, Text("must cite at least one rule of the platform rulebook"))
        self.codes(field, items)
        unknown = [code for code in items if RULEBOOK.rule(code) is None]
        if unknown:
            self.fail(
                field, Text("no such rule in the rulebook: {items}", items=", ".join(unknown))
            )

    def sha256(self, field: str, value: str | None) -> None:
        if value is not None and not SHA256.match(value):
            self.fail(field, Text("must be 64 lowercase hexadecimal characters"))

    def upload(self, field: str, value: str | None, files: Mapping[str, EvidenceFile]) -> None:
        """`value`, if given, is the sha256 of one of the files in `files`."""
        if value is None:
            return
        if not SHA256.match(value):
            self.fail(field, Text("must be 64 lowercase hexadecimal characters"))
        elif value not in files:
            self.fail(field, Text("names no file you uploaded: upload it first with POST /uploads"))

    def money(
        self, field: str, money: Money, *, allow_zero: bool = False, known_currency: bool = False
    ) -> None:
        """`known_currency`: the currency must be one of ISO 4217 in use, not only shaped
        like one (a marketplace's facts; the parties' amounts are checked against those)."""
        if not _CURRENCY.match(money.currency):
            self.fail(f"{field}.currency", Text("must be a three-letter ISO 4217 code such as CNY"))
        elif known_currency and money.currency not in CURRENCIES:
            self.fail(
                f"{field}.currency",
                Text("{currency} is not an ISO 4217 currency", currency=money.currency),
            )
        try:
            amount = Decimal(money.amount)
        except (InvalidOperation, TypeError, ValueError):
            self.fail(f"{field}.amount", Text("must be a number"))
            return
        if not amount.is_finite():
            self.fail(f"{field}.amount", Text("must be a finite number"))
            return
        if amount < 0 or (amount == 0 and not allow_zero):
            self.fail(f"{field}.amount", Text("must be greater than zero"))
        elif amount > MAX_AMOUNT:
            self.fail(
                f"{field}.amount", Text("must be at most {MAX_AMOUNT}", MAX_AMOUNT=MAX_AMOUNT)
            )
        places = minor_unit_places(money.currency)
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            self.fail(
                f"{field}.amount", Text("must have at most {places} decimal places", places=places)
            )

    def remedy(self, field: str, remedy: Remedy) -> None:
        if remedy.type in MONETARY_REMEDIES:
            if remedy.amount is None:
                self.fail(
                    f"{field}.amount", Text("is required for {remedy}", remedy=remedy.type.value)
                )
            else:
                self.money(f"{field}.amount", remedy.amount)
        elif remedy.type is RemedyType.EXPLANATION_ONLY and remedy.amount is not None:
            self.fail(f"{field}.amount", Text("an explanation moves no money"))
        elif remedy.amount is not None:
            self.money(f"{field}.amount", remedy.amount)

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def is_identifier(value: str, max_len: int = IDENTIFIER_MAX) -> bool:
    """Whether `value` is an id such as an order's or a shop's (what `Checks.identifier` takes)."""
    return bool(value) and len(value) <= max_len and _IDENTIFIER.match(value) is not None


def minor_unit_places(currency: str) -> int:
    return 0 if currency in _ZERO_DECIMAL_CURRENCIES else 2


def normalise_money(money: Money) -> Money:
    """The canonical form of a validated amount (``12.5 CNY`` becomes ``12.50 CNY``)."""
    quantum = Decimal(1).scaleb(-minor_unit_places(money.currency))
    return Money(Decimal(money.amount).quantize(quantum), money.currency)


def normalise_remedy(remedy: Remedy) -> Remedy:
    if remedy.amount is None:
        return remedy
    return Remedy(remedy.type, normalise_money(remedy.amount))
