"""Modal forms: the form screen. Its fields are in ``screens.form_fields``, what they
hold is read by ``screens.form_values``, and an edit made elsewhere meanwhile is checked by
``screens.form_conflicts``. The forms themselves are in ``screens.deal_forms`` (a new,
edited or lost deal), ``screens.contact_company_forms`` and ``screens.activity_forms`` (a
logged activity, a task).

``FormScreen`` reads its fields, checks what it can (required fields, dates,
amounts, numbers), then hands the open ``Crm`` and the values to a ``save``
function that calls the API on the app's one writer thread. A refusal (an
unknown contact, a bad email, too many decimal places) is shown under the field
it is about, or at the top; the form stays open and nothing is saved until it is
accepted. The same validation as the command line applies because it is the same
API call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from tinycrm import safetext
from tinycrm.api import Crm
from tinycrm.errors import TinyCrmError
from tinycrm.tui import format as fmt
from tinycrm.tui.base import CrmModalScreen
from tinycrm.tui.screens.form_fields import (
    BodyArea,
    FieldInput,
    FormField,
    NameSuggester,
    control_problem,
    escaped_note,
)
from tinycrm.tui.widgets.keybar import KeyBar

SHORT = 15
"""Lines under which a form is laid out tight (the stylesheet's -short)."""

LEAST_LINES = 7
"""Lines a -short form needs: its border (2), title (1), one field under its label (2)
and the buttons (1), and the key bar under it (1). In fewer the form says the window is
too small."""

TOO_SMALL_TEXT = "The window is too small for this form.\n\nMake it at least {width}×{height}."

LABEL_WIDTH = 18
"""The label column's width (``.form-label`` in the stylesheet): a label and its required
mark must be shorter, to leave a space before the field."""

FIELDS_HEIGHT = 32
"""Rows the form's fields take at most, in a window tall enough."""

Save = Callable[[Crm, dict[str, Any]], Any]
"""What a form does with its values: calls the API of the open ``Crm`` (on the writer thread)."""


class FormTitle(Static):
    """A form's title (which record it is about) in the lines it has: two, one in a short
    window; where it is longer, the last line ends with … (the rest was cut off unmarked,
    and the record's name with it)."""

    def __init__(self, title: str, *, classes: str) -> None:
        super().__init__(classes=classes, markup=False)
        self.title = title

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        if self.screen.has_class("-short"):  # one line, not wrapped: the name begins on it
            line = Text(self.title)
            line.truncate(width, overflow="ellipsis")
            return line
        lines, room = Text(self.title).wrap(self.app.console, width, overflow="fold"), 2
        if len(lines) <= room:
            return Text("\n").join(lines)
        last = lines[room - 1]
        last.rstrip()
        last.append("…")
        last.truncate(width, overflow="ellipsis")
        return Text("\n").join(lines[:room])


class FormScreen(CrmModalScreen[Any]):
    """A form over the current screen; dismisses with what ``save`` returned, or None."""

    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (40, "-narrow"), (60, "-wide")]
    """Under 60 columns each label is above its field (the stylesheet's -narrow): beside
    it, at 40 columns, the field had 14 cells. Under 40 (-tiny) the buttons are narrower
    and the form takes the whole width."""

    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT, "-tall")]
    """Under ``SHORT`` lines the form takes the whole height and drops its padding and
    hint, so the fields keep room to scroll in."""

    AUTO_FOCUS = ""
    """The form gives the focus itself (its first field, on mount) and takes it away while
    the window is too small for it: Textual's would give it back to the first field, hidden,
    and the keys typed then would go there."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        # Ctrl-C cancels, as esc does (a priority binding: an Input's ctrl+c copied, and
        # the user who pressed it to get out was left in the form, told nothing).
        Binding("ctrl+c", "interrupt", "Cancel", id="form.interrupt", priority=True),
        # Priority: the focus moves before the next key is handed on, so 'Acme<Tab>Ada'
        # read at once fills two fields (Textual's tab waited its turn: 'Ada' went to
        # the first field).
        Binding("tab", "next_field", "Next field", show=False, id="form.next", priority=True),
        Binding(
            "shift+tab",
            "previous_field",
            "Previous field",
            show=False,
            id="form.previous",
            priority=True,
        ),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        save: Save,
        *,
        submit_label: str = "Save",
        check: Callable[[dict[str, Any]], object] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="form-screen")
        self.form_title = title
        self.fields = list(fields)
        self.save = save
        self.check = check
        """A check of values read together (an amount in the currency beside it): raises
        ValueError or a TinyCrmError, shown under the field its message names."""
        self.submit_label = submit_label
        self.saving = False
        self._hidden_focus: Widget | None = None
        self.escaped: dict[str, str] = {}
        """A stored value holding control characters, by field: the field shows it escaped
        (``safetext.display``), and keeps it as stored unless the user changes the field."""
        self._opened_with: dict[str, Any] = {}
        """Each field's value as the form opened: what counts as typed is what differs."""
        self._asked: str | None = None
        """The action ("cancel", "quit") the form has asked about (typed text would be
        lost): the same again goes on, any other key takes the question back."""
        self._asked_keys: set[str] = set()
        self._typed_before_cancel: bool | None = None
        self._typed_ahead: list[events.Key] | None = []
        """Keys typed as the form opened, before its first field had the focus (the app
        hands a key to the screen itself then, where it was lost): typed into the fields
        once it has, in order. None from then on."""
        for spec in self.fields:
            shown = safetext.display(spec.value, multiline=spec.multiline)
            if spec.choices is None and shown != spec.value:
                self.escaped[spec.name] = shown

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield FormTitle(fmt.text(self.form_title), classes="form-title")
            # No tab stop of its own: every row is a field, one, and focusing it scrolls
            # it into view; the box showed no cursor and had nothing to scroll by keys.
            with VerticalScroll(id="form-fields", can_focus=False):
                yield Static("", id="form-error", classes="form-error", markup=False)
                for spec in self.fields:
                    mark = " *" if spec.required else ""
                    rows = "form-row -multiline" if spec.multiline else "form-row"
                    with Horizontal(classes=rows):
                        yield Label(f"{spec.label}{mark}", classes="form-label")
                        yield self._widget(spec)
                    if spec.name in self.escaped:
                        yield Static(
                            escaped_note(spec.value, multiline=spec.multiline),
                            id=f"note-{spec.name}",
                            classes="field-note",
                            markup=False,
                        )
                    yield Static("", id=f"error-{spec.name}", classes="field-error", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button(self.submit_label, variant="primary", compact=True, id="form-save")
                yield Button("Cancel", compact=True, id="form-cancel")
        yield Static("", id="form-too-small", markup=False)
        # the form's keys, under it (the view's, dimmed, showed there: none works now)
        yield KeyBar(first=("form.save", "form.cancel", "form.interrupt"), ordered=True)

    def _widget(self, spec: FormField) -> Input | Select[Any] | BodyArea:
        if spec.multiline:
            return BodyArea(
                self.escaped.get(spec.name, spec.value),
                placeholder=spec.placeholder or "enter: a new line; ctrl+s saves",
                id=f"field-{spec.name}",
            )
        if spec.choices is not None:
            choices = list(spec.choices)
            value = next((v for _, v in choices if str(v) == spec.value), Select.NULL)
            if value is Select.NULL and spec.value:  # stored, but not one the form offers:
                choices.append((f"{spec.value} (as stored)", spec.value))  # kept, not blanked
                value = spec.value
            return Select(
                # names, not markup; as Text, not Content: Select's type-ahead reads Text
                [(Text(fmt.text(label)), v) for label, v in choices],
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
            value=self.escaped.get(spec.name, spec.value),
            placeholder=spec.placeholder,
            suggester=suggester,
            compact=True,
            id=f"field-{spec.name}",
        )

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)
        # the title's lines follow the window's height too (-short), not only its width
        self.call_after_refresh(self.query_one(FormTitle).refresh)

    def least_size(self) -> tuple[int, int]:
        """The smallest window this form fits (-tiny and -short): both buttons whole on
        one line (each its label, two cells either side, one before), in the border and a
        cell of padding either side; ``LEAST_LINES`` high."""
        labels = (self.submit_label, "Cancel")
        return sum(cell_len(label) + 5 for label in labels) + 4, LEAST_LINES

    def _fit(self) -> None:
        """Give the fields the rows the window has left beside the title and the buttons
        (they scroll in them), so the buttons are never cut off; in a window too small
        for one field and its label, say so instead of the form."""
        least_width, least_height = self.least_size()
        width, height = self.size
        too_small = width < least_width or height < least_height
        if too_small != self.has_class("-too-small"):
            self._show_too_small(too_small, least_width, least_height)
        if too_small:
            return
        form = self.query_one("#form")
        fields = self.query_one("#form-fields")
        height -= self.query_one(KeyBar).outer_size.height  # the form's keys, docked under it
        chrome = form.styles.gutter.height + sum(
            child.outer_size.height + child.styles.margin.height
            for child in form.children
            if child is not fields and child.display
        )
        share = 100 if self.has_class("-short") else 95  # #form's max-height
        room = height * share // 100 - chrome
        fields.styles.max_height = max(1, min(FIELDS_HEIGHT, room))

    def _show_too_small(self, too_small: bool, width: int, height: int) -> None:
        """Show the form, or in its place how big to make the window; the field that had
        the focus keeps it for when the form is back (nothing typed goes to a hidden one)."""
        note = self.query_one("#form-too-small", Static)
        note.update(TOO_SMALL_TEXT.format(width=width, height=height))
        self.set_class(too_small, "-too-small")
        if too_small:
            self._hidden_focus = self.focused  # its cursor stays where it was
            self.set_focus(None)
        else:
            if self._hidden_focus is not None and self._hidden_focus.is_attached:
                self.set_focus(self._hidden_focus)
            self._hidden_focus = None
            self.call_after_refresh(self._fit)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A field is scrolled to with its label (above it under 60 columns; in a window
        leaving the fields one line, tab showed the field alone, unnamed)."""
        names = {f"field-{spec.name}": spec.name for spec in self.fields}
        for node in event.widget.ancestors_with_self:  # a Select's open list: its field
            if node.id in names:
                self.call_after_refresh(self._show_field, names[node.id])
                return

    def _show_field(self, name: str) -> None:
        """Scroll to field ``name`` and its label, and to the error under it when shown."""
        fields = self.query_one("#form-fields")
        error = self.query_one(f"#error-{name}")
        if error.display:
            fields.scroll_to_widget(error, animate=False)
        row = self.query_one(f"#field-{name}").parent
        if isinstance(row, Widget):
            fields.scroll_to_widget(row, animate=False)

    def on_mount(self) -> None:
        self.query_one("#form-error").display = False
        for spec in self.fields:
            self.query_one(f"#error-{spec.name}").display = False
        self._opened_with = {spec.name: self.raw(spec.name) for spec in self.fields}
        if self.fields:  # now, not focus() (a turn later): the next key is the field's
            self.set_focus(self.query_one(f"#field-{self.fields[0].name}"))
        typed, self._typed_ahead = self._typed_ahead or [], None
        least_width, least_height = self.least_size()
        if self.app.size.width < least_width or self.app.size.height < least_height:
            # too small from the start: said at once, so no key goes to a hidden field
            self._show_too_small(True, least_width, least_height)
            return
        for key in typed:
            if not self._type_ahead_key(key):
                break

    # ------------------------------------------------------------------ keys typed ahead

    def type_ahead(self, keys: Iterable[events.Key]) -> None:
        """Keys typed before the form was shown (while it loaded), typed into it first."""
        if self._typed_ahead is not None:
            self._typed_ahead[:0] = keys

    def _forward_event(self, event: events.Event) -> None:
        if self._typed_ahead is not None and isinstance(event, events.Key):
            self._typed_ahead.append(event)  # no field has the focus yet: see on_mount
            return
        super()._forward_event(event)

    def _type_ahead_key(self, key: events.Key) -> bool:
        """Give a key typed ahead to the focused field, as though typed now. Tab moves the
        focus at once (the next keys are the next field's); esc and ctrl+s (or the user's
        keys for them) cancel or save, and the keys after them are dropped: False."""
        actions = {binding.action for binding in self._bindings.key_to_bindings.get(key.key, ())}
        if actions & {"next_field", "previous_field"}:
            self.action_next_field() if "next_field" in actions else self.action_previous_field()
        elif actions & {"cancel", "interrupt", "submit"}:
            self.action_submit() if "submit" in actions else self.action_cancel()
            return False
        elif self.focused is not None:
            self.focused._forward_event(events.Key(key.key, key.character))
        return True

    # ------------------------------------------------------------------ reading

    def raw(self, name: str) -> Any:
        widget = self.query_one(f"#field-{name}")
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, BodyArea):
            return widget.text
        assert isinstance(widget, Input)
        return widget.value

    def _read(self) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for spec in self.fields:
            raw = self.raw(spec.name)
            shown = self.escaped.get(spec.name)
            if shown is not None:
                # Unchanged: the value as stored. Changed: the escapes it still shows stand
                # for the control characters, which the check below refuses by position.
                raw = spec.value if raw.strip() == shown.strip() else safetext.restore(raw)
                if raw == spec.value:
                    values[spec.name] = spec.parse(raw) if spec.parse else raw.strip()
                    continue
            if spec.choices is not None and spec.value and raw == spec.value:
                values[spec.name] = raw  # the stored choice, kept as it is
                continue
            untouched = spec.choices is None and spec.parse is None and raw == spec.value
            if untouched and raw.strip() != raw and raw.strip():
                # untouched, stored with spaces around it (an older import): kept as it
                # is, not trimmed into a change nobody made (and a name then not found)
                values[spec.name] = raw
                continue
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
        target.update(fmt.message(message))
        target.display = True
        self.call_after_refresh(self._fit)
        if name is None:  # above the fields, in their scroll: brought into view
            fields = self.query_one("#form-fields")
            self.call_after_refresh(fields.scroll_to_widget, target, animate=False)

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

    def action_next_field(self) -> None:
        if isinstance(self.focused, FieldInput):
            self.focused.take_shown_completion()
        self.focus_next()

    def action_previous_field(self) -> None:
        self.focus_previous()

    def typed(self) -> bool:
        """Whether a field holds something else than when the form opened, or keys sent
        to the focused field are not in it yet: a burst ("X" then ctrl+c, read at once)
        ran ctrl+c's binding before the field had the X, and the form closed as untouched."""
        changed = any(
            self.raw(name) != value
            for name, value in self._opened_with.items()
            if self.query(f"#field-{name}")
        )
        # Textual's own message queue (its values; nothing when a version renames it)
        queue = getattr(getattr(self.focused, "_message_queue", None), "values", ())
        return changed or any(isinstance(message, events.Key) for message in queue)

    def ask_first(self, action: str, keys: Sequence[Binding], typed: bool | None = None) -> bool:
        """Whether leaving the form now (``action``: "cancel" or "quit", bound to
        ``keys``) would lose what was typed (``typed``, else ``typed()``) and the user was
        not asked yet: then the form asks, in one line; one of ``keys`` again goes on,
        any other key goes back to it."""
        if self._asked == action or not (self.typed() if typed is None else typed):
            return False
        self._asked = action
        self._asked_keys = {binding.key for binding in keys}
        shown = " or ".join(dict.fromkeys(self.app.get_key_display(b) for b in keys))
        goes = "discards it" if action == "cancel" else "quits and discards it"
        question = (
            f"Discard what you typed? {shown} again {goes}; any other key goes back to the form."
        )
        if self.has_class("-too-small"):
            self.app.notify(question, severity="warning")
        else:
            self.show_error(None, question)
        return True

    def key_pressed(self, key: str) -> None:
        """A key, before anything handles it (``TinyCrmApp.on_event``): one that does not
        go on with what the form asked about takes the question back. A key that cancels
        notes whether something was typed before it: esc reaches the form's binding after
        the keys typed after it are in their field (it bubbles up from the field), and
        "esc w" read at once asked about the w."""
        actions = {binding.action for binding in self._bindings.key_to_bindings.get(key, ())}
        if actions & {"cancel", "interrupt"}:
            self._typed_before_cancel = self.typed()
        if self._asked is None or key in self._asked_keys:
            return
        self._asked = None
        error = self.query_one("#form-error", Static)
        if error.display and "Discard what you typed?" in str(error.render()):
            error.update("")
            error.display = False
            self.call_after_refresh(self._fit)

    def action_cancel(self) -> None:
        keys = sorted(  # esc first, as the key bar shows them
            (b for _, b in self._bindings if b.action in ("cancel", "interrupt")),
            key=lambda binding: binding.action != "cancel",
        )
        typed, self._typed_before_cancel = self._typed_before_cancel, None
        if self.saving:  # sent: it may be written yet (another program holds the lock)
            said = "Still saving (the database is busy): the form closes once saved"
            self.show_error(None, said)
            return
        if self.ask_first("cancel", keys, typed):
            return
        self.dismiss(None)

    def action_interrupt(self) -> None:
        """Ctrl-C: as esc (the app's ctrl+c hands it here)."""
        self.action_cancel()

    def action_submit(self) -> None:
        if self.saving or self.has_class("-too-small"):
            return  # nothing is saved from a form the window cannot show
        self.clear_errors()
        values, errors = self._read()
        if self.check is not None:
            try:
                self.check(values)
            except (ValueError, TinyCrmError) as exc:
                errors.setdefault(self._field_for(str(exc)) or "", str(exc))
        if errors:
            for name, message in errors.items():
                self.show_error(name or None, message)
            if first := next((name for name in errors if name), None):
                self.query_one(f"#field-{first}").focus()
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
        if self.app.screen is self:  # not closed meanwhile (its record deleted elsewhere)
            self.dismiss(result)

    def _refused(self, error: TinyCrmError) -> None:
        self.saving = False
        if not self.is_attached:
            return  # closed meanwhile (its record deleted elsewhere)
        self.clear_errors()  # 'Still saving', said to an esc while it waited
        self.query_one("#form-save", Button).disabled = False
        field = getattr(error, "field", None)  # Invalid(field=...), when it names one
        known = {spec.name for spec in self.fields}
        name = field if field in known else self._field_for(str(error))
        self.show_error(name, str(error))
        if name is not None:
            self.query_one(f"#field-{name}").focus()
