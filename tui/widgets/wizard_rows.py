"""Rows of the request wizard: diagnoses, service lines and attachments."""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, Static

from store.forms import DiagnosisInput, LineInput
from tui.widgets.wizard_fields import FormInput
from store.records import AttachmentRecord


class DiagnosisRow(Static, can_focus=True):
    """One diagnosis: ``p`` makes it primary, ``delete`` removes it.

    Args:
        index: its position (0 = first added).
        diagnosis: the code and description.
    """

    DEFAULT_CSS = """
    DiagnosisRow { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    DiagnosisRow:focus { background: $boost; text-style: bold; }
    """
    BINDINGS = [
        Binding("p", "make_primary", "Make primary", id="diagnosis-primary", tooltip="Make this the primary diagnosis"),
        Binding("delete,x,alt+x", "remove", "Remove", id="diagnosis-remove", tooltip="Remove this diagnosis"),
    ]

    @dataclass
    class PrimaryChosen(Message):
        """The clerk made this diagnosis primary."""

        index: int

    @dataclass
    class RemoveAsked(Message):
        """The clerk removed this diagnosis."""

        index: int

    def __init__(self, index: int, diagnosis: DiagnosisInput) -> None:
        # the marker before the description: a long description is cut ("…"), never the marker
        marker = "[b]primary[/b]  " if diagnosis.is_primary else "[dim]p = make primary[/dim]  "
        text = f"{index + 1}. [b]{escape(diagnosis.code)}[/b]  {marker}{escape(diagnosis.description)}"
        super().__init__(text, id=f"diagnosis-{index}")
        self.index = index

    def action_make_primary(self) -> None:
        """Make this the primary diagnosis."""
        self.post_message(self.PrimaryChosen(self.index))

    def action_remove(self) -> None:
        """Remove this diagnosis."""
        self.post_message(self.RemoveAsked(self.index))


class LineCode(Static, can_focus=True):
    """The code of a service line; ``delete`` removes the line."""

    DEFAULT_CSS = """
    LineCode { width: 1fr; max-width: 48; height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    LineCode:focus { background: $boost; text-style: bold; }
    """
    BINDINGS = [
        Binding("delete,x", "remove", "Remove line", id="line-remove-code", tooltip="Remove this service line"),
    ]

    def action_remove(self) -> None:
        """Ask the row to remove its line."""
        row = self.parent.parent if self.parent is not None else None
        if isinstance(row, LineRow):
            row.action_remove()


# The fields of a line keep their width whatever the terminal's: what they
# hold always shows — four modifiers "25,59,RT,LT", a date, up to 5 digits of
# units — with the cursor after it and the red bar of an invalid field before
# it; the code and its description take what is left and are cut with "…"
# (80 columns: about 27 cells).
MODIFIERS_WIDTH = 13
DATE_WIDTH = 12
UNITS_WIDTH = 7


class LineRow(Vertical):
    """One service line: code, modifiers, from, to, units, its message under them (``alt+x`` removes it).

    Args:
        index: line position (0-based; shown 1-based).
        line: the line as on the form.
        texts: text to show per field (dates formatted, or raw text kept).
    """

    DEFAULT_CSS = f"""
    LineRow {{ height: auto; }}
    LineRow > .line-fields {{ height: 1; }}
    LineRow Input {{ width: {DATE_WIDTH}; margin-right: 1; }}
    LineRow .line-modifier {{ width: {MODIFIERS_WIDTH}; }}
    LineRow .line-units {{ width: {UNITS_WIDTH}; margin-right: 0; }}
    LineRow .field-error {{ height: auto; padding: 0 0 0 3; display: none; }}
    LineRow .field-error.-shown {{ display: block; }}
    """
    BINDINGS = [
        Binding("alt+x", "remove", "Remove line", id="line-remove", tooltip="Remove this service line"),
    ]

    @dataclass
    class RemoveAsked(Message):
        """The clerk removed this line."""

        index: int

    def __init__(self, index: int, line: LineInput, texts: dict[str, str]) -> None:
        super().__init__(id=f"line-{index}", classes="line-row")
        self.index = index
        self.line = line
        self.texts = texts

    def compose(self) -> ComposeResult:
        i = self.index
        description = self.line.description or ""
        with Horizontal(classes="line-fields"):
            yield LineCode(f"{i + 1}. [b]{escape(self.line.code)}[/b] {escape(description)}", id=f"line-{i}-code")
            yield FormInput(compact=True, value=self.texts.get("modifier", ""), id=f"line-{i}-modifier",
                            placeholder="modifiers", classes="line-modifier", max_length=11)
            yield FormInput(compact=True, value=self.texts.get("from", ""), id=f"line-{i}-from", placeholder="from")
            yield FormInput(compact=True, value=self.texts.get("to", ""), id=f"line-{i}-to", placeholder="to")
            yield FormInput(compact=True, value=self.texts.get("units", ""), id=f"line-{i}-units",
                            placeholder="units", classes="line-units")
        # the line's message under its fields, where it is read whatever the width
        yield Static("", id=f"line-{i}-error", classes="field-error")

    def action_remove(self) -> None:
        """Remove this line."""
        self.post_message(self.RemoveAsked(self.index))


class AttachmentRow(Static, can_focus=True):
    """One attached file: name, type, size; ``delete`` removes it while a draft."""

    DEFAULT_CSS = """
    AttachmentRow { height: 1; padding: 0 1; }
    AttachmentRow:focus { background: $boost; text-style: bold; }
    """
    BINDINGS = [
        Binding("delete,x,alt+x", "remove", "Remove file", id="attachment-remove", tooltip="Remove this attachment"),
    ]

    @dataclass
    class RemoveAsked(Message):
        """The clerk removed this attachment."""

        attachment: AttachmentRecord

    def __init__(self, attachment: AttachmentRecord, *, removable: bool = True) -> None:
        from store.services.attachments import human_size

        hint = "  [dim]delete = remove[/dim]" if removable else ""
        super().__init__(
            f"📎 {escape(attachment.filename)}  [dim]{escape(attachment.media_type)}[/dim]  "
            f"{human_size(attachment.size_bytes)}{hint}",
            id=f"attachment-{attachment.id}",
        )
        self.attachment = attachment
        self.removable = removable

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Removing is only for drafts."""
        return self.removable if action == "remove" else True

    def action_remove(self) -> None:
        """Remove this file."""
        self.post_message(self.RemoveAsked(self.attachment))


class FieldRow(Horizontal):
    """A label on the left, a field and its error message on the right."""

    DEFAULT_CSS = """
    FieldRow { height: auto; }
    FieldRow > Label { width: 26; padding: 0 1 0 0; text-align: right; }
    FieldRow > Vertical { height: auto; width: 1fr; }
    FieldRow .field-error { color: $error; height: auto; display: none; }
    FieldRow .field-error.-shown { display: block; }
    FieldRow .field-hint { color: $text-muted; height: auto; }
    """

    def __init__(self, label: str, field, *, required: bool = False, hint: str = "",
                 error_id: str | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = f"{label} *" if required else label
        self.field = field
        self.hint = hint
        self.error_id = error_id if error_id is not None else (f"{field.id}-error" if field.id else "")

    def compose(self) -> ComposeResult:
        yield Label(self.label)
        with Vertical():
            yield self.field
            if self.error_id:
                yield Static("", id=self.error_id, classes="field-error")
            if self.hint:
                yield Static(self.hint, classes="field-hint")
