"""Find a member by member info: last name and date of birth (first name narrows).

Seed 003 lets the clerk find the member by "CareSource ID, Medicaid ID or
Member info". This dialog is the member-info way, for the eligibility step:
type the last name and the date of birth (and the first name when several
match), Enter searches; the matches are a pick list, Enter on one dismisses
with its :class:`store.services.member_lookup.MemberMatch` (Esc: None).

Hook for the wizard::

    def picked(match: MemberMatch | None) -> None:
        if match is not None:
            member_id_input.value = match.member_id   # then check eligibility as for a typed ID

    self.app.push_screen(MemberLookupScreen(last_name=typed_name), picked)
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from store.errors import ValidationError
from store.formats import format_date
from store.services.member_lookup import MAX_MATCHES, MemberMatch
from tui.errors import field_errors
from tui.screens.decisions import FORM_CSS, framed_css
from tui.widgets.text_input import TextInput

SEX_WORDS = {"F": "female", "M": "male", "U": "sex unknown"}


class MemberLookupScreen(ModalScreen[MemberMatch | None]):
    """Last name + date of birth (+ first name) → a pick list of members."""

    DEFAULT_CSS = FORM_CSS + framed_css("MemberLookupScreen") + """
    MemberLookupScreen > #form { width: 84; }
    MemberLookupScreen .form-row { height: auto; margin: 1 0 0 0; }
    MemberLookupScreen .form-row Label { width: 18; text-style: bold; }
    MemberLookupScreen .form-row Input { width: 1fr; background: $boost; }
    MemberLookupScreen .field-error { color: $error; height: auto; padding: 0 0 0 18; display: none; }
    MemberLookupScreen .field-error.-shown { display: block; }
    MemberLookupScreen #lookup-matches { height: auto; max-height: 12; margin: 1 0 0 0; display: none; }
    MemberLookupScreen #lookup-matches.-shown { display: block; }
    MemberLookupScreen #lookup-status { height: auto; padding: 1 0 0 0; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="lookup-cancel", tooltip="Close without choosing a member"),
        Binding("ctrl+s", "search", "Search", id="lookup-search", tooltip="Find members with this name and birth date"),
    ]

    @dataclass
    class Found(Message):
        """The search answered."""

        matches: list[MemberMatch]

    @dataclass
    class Refused(Message):
        """Something was missing or wrong: field → message."""

        errors: dict[str, str]

    def __init__(self, last_name: str = "", first_name: str = "") -> None:
        super().__init__()
        self.initial = (last_name, first_name)
        self.matches: list[MemberMatch] = []

    def compose(self) -> ComposeResult:
        last, first = self.initial
        with Vertical(id="form"):
            yield Static("Find the member by name and date of birth", id="form-title")
            yield Static("Type the last name and the date of birth; add the first name when several members "
                         "match. Enter searches, then ↑↓ and Enter choose.", classes="form-text")
            for name, label, value, placeholder in (
                ("lookup-last-name", "Last name *", last, "Whitfield"),
                ("lookup-birth-date", "Date of birth *", "", "MM/DD/YYYY"),
                ("lookup-first-name", "First name", first, "narrows when several match"),
            ):
                yield Horizontal(Label(label), TextInput(value, placeholder=placeholder, id=name, compact=True),
                                 classes="form-row")
                yield Static("", id=f"error-{name}", classes="field-error")
            yield OptionList(id="lookup-matches")
            yield Static("", id="lookup-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#lookup-last-name", Input).focus()

    # ----- searching -----

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_search()

    def action_search(self) -> None:
        """Check the fields, then search in a worker."""
        from store.validate import parse_date

        self._clear_errors()
        birth_text = self.query_one("#lookup-birth-date", Input).value
        birth = None
        errors: dict[str, str] = {}
        if birth_text.strip():
            try:
                birth = parse_date(birth_text, field="lookup-birth-date")
            except ValidationError as exc:
                errors.update(exc.errors)
        if not self.query_one("#lookup-last-name", Input).value.strip():
            errors["lookup-last-name"] = "Enter the member's last name."
        if birth is None and "lookup-birth-date" not in errors:
            errors["lookup-birth-date"] = "Enter the member's date of birth (MM/DD/YYYY)."
        if errors:
            self._show_errors(errors)
            return
        self.query_one("#lookup-status", Static).update("Searching…")
        self._search(self.query_one("#lookup-last-name", Input).value, birth,
                     self.query_one("#lookup-first-name", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="member-lookup")
    def _search(self, last_name: str, birth, first_name: str) -> None:
        from store.services.member_lookup import find_members

        try:
            with self.app.store.session() as session:
                matches = find_members(session, last_name, birth, first_name)
        except Exception as exc:  # shown in the dialog, never a traceback
            self.post_message(self.Refused(field_errors(exc)))
            return
        self.post_message(self.Found(matches))

    @on(Found)
    def _found(self, message: Found) -> None:
        self.matches = message.matches
        options = self.query_one("#lookup-matches", OptionList)
        options.clear_options()
        status = self.query_one("#lookup-status", Static)
        if not message.matches:
            options.remove_class("-shown")
            status.update("No member has that last name and date of birth. Check both, or search by member ID.")
            self.query_one("#lookup-last-name", Input).focus()
            return
        options.add_options(Option(Text(self._describe(m)), id=str(i)) for i, m in enumerate(message.matches))
        options.add_class("-shown")
        options.highlighted = 0
        options.focus()
        many = len(message.matches)
        more = " (the first ones; add the first name)" if many >= MAX_MATCHES else ""
        status.update(f"{many} member{'s' if many != 1 else ''} match{'' if many != 1 else 'es'}{more}. "
                      "Enter chooses the highlighted one.")

    @staticmethod
    def _describe(m: MemberMatch) -> str:
        medicaid = f" · Medicaid {m.medicaid_id}" if m.medicaid_id else ""
        return f"{m.name} · born {format_date(m.birth_date)} · {SEX_WORDS.get(m.sex, m.sex)} · ID {m.member_id}{medicaid}"

    @on(OptionList.OptionSelected, "#lookup-matches")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.matches[int(event.option.id)])

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.query_one("#lookup-status", Static).update("")
        self._show_errors(message.errors)

    # ----- messages at the fields -----

    def _show_errors(self, errors: dict[str, str]) -> None:
        general = []
        for name, text in errors.items():
            found = self.query(f"#error-{name}")
            if found:
                found.first(Static).update(Text(text))
                found.first(Static).add_class("-shown")
            else:
                general.append(text)
        if general:
            self.query_one("#lookup-status", Static).update(Text("\n".join(general), style="bold red"))
        first = next((n for n in errors if self.query(f"#{n}")), None)
        if first:
            self.query_one(f"#{first}", Input).focus()

    def _clear_errors(self) -> None:
        for static in self.query(".field-error").results(Static):
            static.update("")
            static.remove_class("-shown")

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
