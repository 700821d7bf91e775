"""What a form's fields hold, read as the API takes it: amounts in a currency, dates,
a probability, a company's size, tags; and the owner and tags fields every record's form
ends with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinycrm import dates, money
from tinycrm.tui.screens.form_fields import FormField


def check_money(
    values: dict[str, Any], shown: str, *, amount: str = "amount", currency: str = "currency"
) -> None:
    """The amount typed (``$120,000.00``, ``500 JPY``, ``1,200``) read as the store reads
    ``deal add/edit --amount``: with the currency field when it was changed, else in the
    currency it shows (``shown``), so ``1,200`` is twelve hundred yen but ambiguous in
    euros. ValueError with the reason."""
    if values.get(amount):
        money.parse_money_in(
            values[amount], given_currency(values.get(currency), shown), default=shown
        )


def given_currency(typed: str | None, shown: str) -> str | None:
    """The currency field counts only when changed: a symbol or code written with the
    amount ("$500") sets the currency, as ``--amount`` does without ``--currency``."""
    return typed if typed and typed.strip().upper() != shown else None


def parse_date(text: str) -> Any:
    return dates.parse_date(text)


def parse_when(text: str) -> Any:
    return dates.parse_when(text)


def parse_probability(text: str) -> int:
    try:
        value = int(text.rstrip("%").strip())
    except ValueError:
        raise ValueError(
            f"probability must be a whole number from 0 to 100, not {text!r}"
        ) from None
    if not 0 <= value <= 100:
        raise ValueError(f"probability must be between 0 and 100, not {value}")
    return value


def parse_size(text: str) -> int:
    """A company's size as people write counts: ``250``, ``1,000``, ``1.000``, ``1 000``."""
    return money.parse_count(text, "size")


def parse_tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _tags_joined(tags: Sequence[str]) -> str:
    return ", ".join(tags)


def _tag_changes(old: Sequence[str], new: list[str] | None) -> tuple[list[str], list[str]]:
    """The tags to add and to remove to go from ``old`` to ``new``."""
    wanted = [t.lower() for t in (new or [])]
    return [t for t in wanted if t not in old], [t for t in old if t not in wanted]


def owner_and_tags(record: Any) -> list[FormField]:
    """The owner and tags fields every record's form ends with (``record``: None when new)."""
    return [
        FormField("owner", "Owner", record.owner if record else "", "you", words=("owner",)),
        FormField(
            "tags",
            "Tags",
            _tags_joined(record.tags) if record else "",
            "comma separated",
            parse=parse_tags,
            words=("tag",),
        ),
    ]


def owner_and_tag_changes(record: Any, values: dict[str, Any]) -> dict[str, Any]:
    """What an edit form's owner and tags fields change: ``owner`` (a blank one keeps it),
    ``tag`` and ``untag``, as the API's ``edit`` methods take them."""
    changes: dict[str, Any] = {}
    if (values["owner"] or record.owner) != record.owner:
        changes["owner"] = values["owner"]
    changes["tag"], changes["untag"] = _tag_changes(record.tags, values["tags"])
    return changes


def plain(value: Any) -> str:
    """A stored value as a field shows it: none is blank."""
    return "" if value is None else str(value)
