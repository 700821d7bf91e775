"""Modal forms: a new or edited deal, contact or company; a logged activity; a task; a loss.

``FormScreen`` reads its fields, checks what it can (required fields, dates,
amounts, numbers), then hands the open ``Crm`` and the values to a ``save``
function that calls the API on the app's one writer thread. A refusal (an
unknown contact, a bad email, too many decimal places) is shown under the field
it is about, or at the top; the form stays open and nothing is saved until it is
accepted. The same validation as the command line applies because it is the same
API call.
"""

from __future__ import annotations

import asyncio
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, Select, Static

from tinycrm import dates, money, safetext
from tinycrm.api import Crm
from tinycrm.api.models import ActivityRead, CompanyRead, ContactRead, DealRead
from tinycrm.errors import Conflict, TinyCrmError
from tinycrm.tui import format as fmt
from tinycrm.tui.base import CrmModalScreen
from tinycrm.vocab import DEFAULT_CURRENCY, LIFECYCLES, LOG_KINDS, ROLES


@dataclass
class FormField:
    """One field: an ``Input`` (or a ``Select`` when ``choices`` are given)."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    choices: Sequence[tuple[str, Any]] | None = None
    required: bool = False
    parse: Callable[[str], Any] | None = None
    words: tuple[str, ...] = ()
    """An error mentioning one of these words is shown under this field."""
    complete: str | None = None
    """``contact`` or ``company``: offer the first matching name as inline completion."""


def control_problem(text: str) -> str | None:
    """Why a one-line field refuses ``text`` (the first control character and where), or
    None: the store's rule (``validate.plain``), where tabs and line breaks are spaces."""
    return safetext.problem(text.replace("\r", "\n"), multiline=True)


class FieldInput(Input):
    """A one-line field. A pasted text goes into it whole: its lines joined by spaces
    (Textual's Input keeps the first line only), its control characters kept, for the
    form to refuse by name rather than send to the terminal or the database."""

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        text = " ".join(line for line in event.text.splitlines() if line.strip())
        if text:
            self.insert_text_at_cursor(text)


class NameSuggester(Suggester):
    """Completes a contact or company name from the database, off the app's thread."""

    def __init__(self, lookup: Callable[[str], str | None]) -> None:
        super().__init__(use_cache=True, case_sensitive=False)
        self.lookup = lookup

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip():
            return None
        try:
            found = await asyncio.to_thread(self.lookup, value)
        except TinyCrmError:
            return None
        return found if found and found.casefold().startswith(value) else None


FIELDS_HEIGHT = 32
"""Rows the form's fields take at most, in a window tall enough."""

Save = Callable[[Crm, dict[str, Any]], Any]
"""What a form does with its values: calls the API of the open ``Crm`` (on the writer thread)."""


class FormScreen(CrmModalScreen[Any]):
    """A form over the current screen; dismisses with what ``save`` returned, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.save"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        save: Save,
        *,
        submit_label: str = "Save",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="form-screen")
        self.form_title = title
        self.fields = list(fields)
        self.save = save
        self.submit_label = submit_label
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(fmt.text(self.form_title), classes="form-title", markup=False)
            yield Static("", id="form-error", classes="form-error", markup=False)
            with VerticalScroll(id="form-fields"):
                for spec in self.fields:
                    mark = " *" if spec.required else ""
                    with Horizontal(classes="form-row"):
                        yield Label(f"{spec.label}{mark}", classes="form-label")
                        yield self._widget(spec)
                    yield Static("", id=f"error-{spec.name}", classes="field-error", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button(self.submit_label, variant="primary", compact=True, id="form-save")
                yield Button("Cancel", compact=True, id="form-cancel")
            yield Static("ctrl+s saves · esc cancels", classes="form-hint")

    def _widget(self, spec: FormField) -> Input | Select[Any]:
        if spec.choices is not None:
            value = next((v for _, v in spec.choices if str(v) == spec.value), Select.NULL)
            return Select(
                [(Content(fmt.text(label)), v) for label, v in spec.choices],  # names, not markup
                value=value,
                allow_blank=not spec.required,
                compact=True,
                id=f"field-{spec.name}",
            )
        suggester = None
        if spec.complete:
            board, kind = self.crm.board, spec.complete
            suggester = NameSuggester(lambda text: board.complete(kind, text))
        return FieldInput(
            value=spec.value,
            placeholder=spec.placeholder,
            suggester=suggester,
            compact=True,
            id=f"field-{spec.name}",
        )

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """Give the fields the rows the window has left beside the title, the errors and
        the buttons (they scroll in them), so the buttons are never cut off."""
        form = self.query_one("#form")
        fields = self.query_one("#form-fields")
        chrome = form.styles.gutter.height + sum(
            child.outer_size.height + child.styles.margin.height
            for child in form.children
            if child is not fields and child.display
        )
        room = self.size.height * 95 // 100 - chrome  # #form's max-height
        fields.styles.max_height = max(1, min(FIELDS_HEIGHT, room))

    def on_mount(self) -> None:
        self.query_one("#form-error").display = False
        for spec in self.fields:
            self.query_one(f"#error-{spec.name}").display = False
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    # ------------------------------------------------------------------ reading

    def raw(self, name: str) -> Any:
        widget = self.query_one(f"#field-{name}")
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        assert isinstance(widget, Input)
        return widget.value

    def _read(self) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for spec in self.fields:
            raw = self.raw(spec.name)
            text = raw.strip() if isinstance(raw, str) else raw
            if text in (None, ""):
                if spec.required:
                    errors[spec.name] = f"{spec.label} is required"
                values[spec.name] = None
                continue
            if isinstance(text, str) and (problem := control_problem(text)) is not None:
                errors[spec.name] = f"{spec.label}: {problem}"
                continue
            if spec.parse is not None and isinstance(text, str):
                try:
                    values[spec.name] = spec.parse(text)
                except (ValueError, TinyCrmError) as exc:
                    errors[spec.name] = str(exc)
            else:
                values[spec.name] = text
        return values, errors

    # ------------------------------------------------------------------ errors

    def show_error(self, name: str | None, message: str) -> None:
        target = self.query_one(f"#error-{name}" if name else "#form-error", Static)
        target.update(fmt.block(message))
        target.display = True
        self.call_after_refresh(self._fit)

    def clear_errors(self) -> None:
        for widget in self.query(".field-error, .form-error").results(Static):
            widget.update("")
            widget.display = False
        self.call_after_refresh(self._fit)

    def _field_for(self, message: str) -> str | None:
        lowered = message.lower()
        for spec in self.fields:
            if any(word in lowered for word in spec.words):
                return spec.name
        return None

    # ------------------------------------------------------------------ actions

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_submit()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if not self.saving:
            self.dismiss(None)

    def action_submit(self) -> None:
        if self.saving:
            return
        self.clear_errors()
        values, errors = self._read()
        if errors:
            for name, message in errors.items():
                self.show_error(name, message)
            self.query_one(f"#field-{next(iter(errors))}").focus()
            return
        self.saving = True
        self.query_one("#form-save", Button).disabled = True
        crm = self.crm
        self.crm_app.run_write(
            lambda: self.save(crm, values),
            done=self._saved,
            failed=self._refused,
            label=f"{self.form_title} (the form)",
        )

    def _saved(self, result: Any) -> None:
        self.saving = False
        self.dismiss(result)

    def _refused(self, error: TinyCrmError) -> None:
        self.saving = False
        self.query_one("#form-save", Button).disabled = False
        field = getattr(error, "field", None)  # Invalid(field=...), when it names one
        known = {spec.name for spec in self.fields}
        name = field if field in known else self._field_for(str(error))
        self.show_error(name, str(error))
        if name is not None:
            self.query_one(f"#field-{name}").focus()


# --------------------------------------------------------------------------- parsers


def parse_money(text: str) -> str:
    """An amount as typed, checked (``$120,000``, ``500 JPY``): the store reads its
    currency, as it does from ``deal add --amount``."""
    money.parse_money(text)
    return text


def _given_currency(typed: str | None, shown: str) -> str | None:
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
    try:
        return int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise ValueError(f"size must be a whole number, not {text!r}") from None


def parse_tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _tags_joined(tags: Sequence[str]) -> str:
    return ", ".join(tags)


def _tag_changes(old: Sequence[str], new: list[str] | None) -> tuple[list[str], list[str]]:
    """The tags to add and to remove to go from ``old`` to ``new``."""
    wanted = [t.lower() for t in (new or [])]
    return [t for t in wanted if t not in old], [t for t in old if t not in wanted]


def _owner_and_tags(record: Any) -> list[FormField]:
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


def _owner_and_tag_changes(record: Any, values: dict[str, Any]) -> dict[str, Any]:
    """What an edit form's owner and tags fields change: ``owner`` (a blank one keeps it),
    ``tag`` and ``untag``, as the API's ``edit`` methods take them."""
    changes: dict[str, Any] = {}
    if (values["owner"] or record.owner) != record.owner:
        changes["owner"] = values["owner"]
    changes["tag"], changes["untag"] = _tag_changes(record.tags, values["tags"])
    return changes


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


ROLE_CHOICES = [(r, r) for r in ROLES]
LIFECYCLE_CHOICES = [(lc, lc) for lc in LIFECYCLES]


# --------------------------------------------------------------------------- deals

NEW_DEAL_CURRENCY = DEFAULT_CURRENCY  # what the new-deal form's currency field shows at first


def _deal_fields(deal: DealRead | None, stages: Sequence[tuple[str, int]], stage_id: int | None):  # type: ignore[no-untyped-def]
    amount = "" if deal is None or deal.amount is None else str(deal.amount)
    fields = [
        FormField(
            "title",
            "Title",
            deal.title if deal else "",
            "Acme renewal",
            required=True,
            words=("title",),
        ),
        FormField(
            "contact",
            "Contact",
            _plain(deal.contact if deal else None),
            "name or email",
            words=("contact",),
            complete="contact",
        ),
        FormField(
            "company",
            "Company",
            _plain(deal.company if deal else None),
            "name or domain",
            words=("company",),
            complete="company",
        ),
        FormField(
            "amount", "Amount", amount, "18,500", parse=parse_money, words=("amount", "decimal")
        ),
        FormField(
            "currency",
            "Currency",
            deal.currency if deal else NEW_DEAL_CURRENCY,
            "EUR",
            words=("currency",),
        ),
    ]
    if deal is None and stages:
        fields.append(
            FormField(
                "stage",
                "Stage",
                str(stage_id or stages[0][1]),
                choices=list(stages),
                required=True,
                words=("stage",),
            )
        )
    close = deal.close_date.isoformat() if deal and deal.close_date else ""
    probability = str(deal.probability) if deal and deal.probability_override else ""
    fields += [
        FormField(
            "close",
            "Expected close",
            close,
            "2026-12-31, +30d, eom",
            parse=parse_date,
            words=("date", "close"),
        ),
        FormField(
            "probability",
            "Probability %",
            probability,
            "the stage's",
            parse=parse_probability,
            words=("probability",),
        ),
        *_owner_and_tags(deal),
    ]
    return fields


def new_deal_form(
    *,
    pipeline_id: int | None,
    stages: Sequence[tuple[str, int]],
    stage_id: int | None,
) -> FormScreen:
    """Open a deal; the same rules as ``tinycrm deal add``."""

    def save(crm: Crm, v: dict[str, Any]) -> DealRead:
        return crm.deals.add(
            v["title"],
            contact=v["contact"],
            company=v["company"],
            amount=v["amount"],
            currency=_given_currency(v["currency"], NEW_DEAL_CURRENCY),
            stage=f"#{v['stage']}" if v.get("stage") else None,
            pipeline=str(pipeline_id) if pipeline_id else None,
            close=v["close"],
            probability=v["probability"],
            owner=v["owner"],
            tags=v["tags"],
        )

    return FormScreen(
        "New deal",
        _deal_fields(None, stages, stage_id),
        save,
        submit_label="Add deal",
        id="new-deal-form",
    )


def _deal_changes(deal: DealRead, v: dict[str, Any]) -> dict[str, Any]:
    """What the edit form's values change in ``deal``, as ``crm.deals.edit`` takes them."""
    changes: dict[str, Any] = {}
    if v["title"] != deal.title:
        changes["title"] = v["title"]
    for name in ("contact", "company"):
        if v[name] != getattr(deal, name):
            changes[name] = v[name]
    currency = _given_currency(v["currency"], deal.currency)
    amount, written = money.parse_money(v["amount"]) if v["amount"] else (None, None)
    if amount != deal.amount or written not in (None, deal.currency) or currency:
        changes["amount"] = v["amount"]
        if currency:
            changes["currency"] = currency
    if v["close"] != deal.close_date:
        changes["close"] = v["close"]
    before = deal.probability if deal.probability_override else None
    if v["probability"] != before:
        changes["probability"] = v["probability"]
    changes.update(_owner_and_tag_changes(deal, v))
    return changes


def _refuse_unseen(
    before: Any,
    now: Any,
    changes: dict[str, Any],
    told: dict[str, object],
    shown: dict[str, Callable[[Any], object]],
) -> None:
    """Refuse an edit form's ``changes`` to a value changed elsewhere since the form
    opened with ``before`` (``now`` is the record in the write's transaction), unless the
    form has said so already (``told``, which this fills): a save overwrites nothing
    unseen, and a second save puts the form's values in."""
    clashes = {
        name: read(now)
        for name, read in shown.items()
        if name in changes and read(now) not in (read(before), told.get(name, read(before)))
    }
    if clashes:
        told.update(clashes)
        said = ", ".join(
            f"{name} ({'none' if value in (None, '') else value})"
            for name, value in clashes.items()
        )
        raise Conflict(
            f"changed elsewhere while this form was open: {said}; save again to put yours in"
        )


def _attributes(*names: str) -> dict[str, Callable[[Any], object]]:
    return {name: operator.attrgetter(name) for name in names}


_DEAL_SHOWN: dict[str, Callable[[DealRead], object]] = {
    "title": lambda d: d.title,
    "contact": lambda d: d.contact,
    "company": lambda d: d.company,
    "amount": lambda d: fmt.amount(d.amount, d.currency) if d.amount is not None else None,
    "close": lambda d: d.close_date,
    "probability": lambda d: d.probability if d.probability_override else None,
    "owner": lambda d: d.owner,
}
"""A deal's value behind each field of its edit form, as the form's error shows it."""


def edit_deal_form(deal: DealRead) -> FormScreen:
    """Change a deal's details (its stage moves with < and >). A value the form changes
    that was changed elsewhere since the form opened is not overwritten unseen: the form
    says what it is now, and a second save puts the form's value in."""
    told: dict[str, object] = {}

    def save(crm: Crm, v: dict[str, Any]) -> DealRead:
        changes = _deal_changes(deal, v)
        now = crm.deals.get(deal.id)  # in the write's transaction: nothing slips between
        _refuse_unseen(deal, now, changes, told, _DEAL_SHOWN)
        return crm.deals.edit(deal.id, **changes)

    return FormScreen(
        f"Edit deal · {deal.title}",
        _deal_fields(deal, (), None),
        save,
        id="edit-deal-form",
    )


def lost_form(deal_id: int, title: str) -> FormScreen:
    """Mark a deal lost: the reason is required (it is what reports learn from)."""
    return FormScreen(
        f"Lost · {title}",
        [
            FormField(
                "reason",
                "Why was it lost?",
                "",
                "price, timing, competitor…",
                required=True,
                words=("reason",),
            )
        ],
        lambda crm, v: crm.deals.lose(deal_id, reason=v["reason"]),
        submit_label="Mark lost",
        id="lost-form",
    )


# --------------------------------------------------------------------------- contacts, companies


def _contact_fields(contact: ContactRead | None) -> list[FormField]:
    c = contact
    return [
        FormField(
            "name", "Name", c.name if c else "", "Jürgen Müller", required=True, words=("name",)
        ),
        FormField("email", "Email", _plain(c.email if c else None), "jm@acme.de", words=("email",)),
        FormField("phone", "Phone", _plain(c.phone if c else None), words=("phone",)),
        FormField("title", "Title", _plain(c.title if c else None), "CEO", words=("title",)),
        FormField(
            "role", "Role", _plain(c.role if c else None), choices=ROLE_CHOICES, words=("role",)
        ),
        FormField(
            "company",
            "Company",
            _plain(c.company if c else None),
            "name or domain",
            words=("company",),
            complete="company",
        ),
        FormField(
            "lifecycle",
            "Lifecycle",
            c.lifecycle if c else "lead",
            choices=LIFECYCLE_CHOICES,
            required=True,
            words=("lifecycle",),
        ),
        *_owner_and_tags(c),
    ]


def new_contact_form() -> FormScreen:
    def save(crm: Crm, v: dict[str, Any]) -> ContactRead:
        return crm.contacts.add(**v)

    return FormScreen("New contact", _contact_fields(None), save, id="contact-form")


_CONTACT_SHOWN = _attributes(
    "name", "email", "phone", "title", "role", "company", "lifecycle", "owner"
)


def edit_contact_form(contact: ContactRead) -> FormScreen:
    told: dict[str, object] = {}

    def save(crm: Crm, v: dict[str, Any]) -> ContactRead:
        changes = {
            k: v[k]
            for k in ("name", "email", "phone", "title", "role", "company", "lifecycle")
            if v[k] != getattr(contact, k)
        }
        changes.update(_owner_and_tag_changes(contact, v))
        _refuse_unseen(contact, crm.contacts.get(contact.id), changes, told, _CONTACT_SHOWN)
        return crm.contacts.edit(contact.id, **changes)

    return FormScreen(
        f"Edit contact · {contact.name}",
        _contact_fields(contact),
        save,
        id="contact-form",
    )


def _company_fields(company: CompanyRead | None) -> list[FormField]:
    c = company
    return [
        FormField("name", "Name", c.name if c else "", "Acme GmbH", required=True, words=("name",)),
        FormField(
            "domain", "Domain", _plain(c.domain if c else None), "acme.de", words=("domain",)
        ),
        FormField("industry", "Industry", _plain(c.industry if c else None)),
        FormField(
            "size",
            "Size",
            _plain(c.size if c else None),
            "employees",
            parse=parse_size,
            words=("size",),
        ),
        FormField("phone", "Phone", _plain(c.phone if c else None)),
        FormField("city", "City", _plain(c.city if c else None)),
        FormField("country", "Country", _plain(c.country if c else None)),
        *_owner_and_tags(c),
    ]


def new_company_form() -> FormScreen:
    def save(crm: Crm, v: dict[str, Any]) -> CompanyRead:
        return crm.companies.add(**v)

    return FormScreen("New company", _company_fields(None), save, id="company-form")


_COMPANY_SHOWN = _attributes(
    "name", "domain", "industry", "size", "phone", "city", "country", "owner"
)


def edit_company_form(company: CompanyRead) -> FormScreen:
    told: dict[str, object] = {}

    def save(crm: Crm, v: dict[str, Any]) -> CompanyRead:
        keys = ("name", "domain", "industry", "size", "phone", "city", "country")
        changes = {k: v[k] for k in keys if v[k] != getattr(company, k)}
        changes.update(_owner_and_tag_changes(company, v))
        _refuse_unseen(company, crm.companies.get(company.id), changes, told, _COMPANY_SHOWN)
        return crm.companies.edit(company.id, **changes)

    return FormScreen(
        f"Edit company · {company.name}",
        _company_fields(company),
        save,
        id="company-form",
    )


# --------------------------------------------------------------------------- activities, tasks


def log_form(kind: str, record_id: int, label: str) -> FormScreen:
    """Log a call, email, meeting or note about the record ``kind`` ``record_id``."""

    def save(crm: Crm, v: dict[str, Any]) -> ActivityRead:
        return crm.activities.log(
            v["kind"], None, v["text"], at=v["when"], **{kind: str(record_id)}
        )

    return FormScreen(
        f"Log activity · {label}",
        [
            FormField(
                "kind",
                "Kind",
                "call",
                choices=[(k, k) for k in LOG_KINDS],
                required=True,
                words=("kind",),
            ),
            FormField(
                "text",
                "What happened",
                "",
                "Walked through the proposal",
                required=True,
                words=("text", "subject"),
            ),
            FormField(
                "when",
                "When",
                "",
                "now; or yesterday 15:00, -2d",
                parse=parse_when,
                words=("when", "time"),
            ),
        ],
        save,
        submit_label="Log",
        id="log-form",
    )


def task_form(kind: str | None, record_id: int | None, label: str) -> FormScreen:
    """Add a task, about a record or on its own (``kind`` None)."""

    def save(crm: Crm, v: dict[str, Any]) -> ActivityRead:
        about = {kind: str(record_id)} if kind and record_id is not None else {}
        return crm.tasks.add(v["text"], due=v["due"], **about)

    title = f"Add task · {label}" if label else "Add task"
    return FormScreen(
        title,
        [
            FormField(
                "text", "Task", "", "Send the contract", required=True, words=("text", "subject")
            ),
            FormField(
                "due",
                "Due",
                "tomorrow 9:00",
                "tomorrow 9:00, +3d, 2026-12-01 14:00",
                required=True,
                parse=parse_when,
                words=("due", "time", "date"),
            ),
        ],
        save,
        submit_label="Add task",
        id="task-form",
    )
