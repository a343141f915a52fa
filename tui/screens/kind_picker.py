"""Choose the kind of a new request: one key (1–4 or the first letter) picks it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from store.enums import RequestKind

# Order, key and the seeds' description of each kind.
KIND_CHOICES: tuple[tuple[RequestKind, str, str], ...] = (
    (RequestKind.INPATIENT, "i", "inpatient, observation, behavioral health IP, PHP, residential"),
    (RequestKind.SERVICE, "s", "outpatient procedures, diagnostics, home care, BH IOP …"),
    (RequestKind.EMERGENT_ADMISSION, "e", "admitted through the ER (ER staff start, treating team finishes)"),
    (RequestKind.NEWBORN, "n", "delivery of a member's newborn"),
)


def _load_wizard() -> None:
    """Import the wizard while the clerk reads the kinds, so it opens without delay."""
    import tui.screens.wizard  # noqa: F401


class KindPickerScreen(ModalScreen[RequestKind | None]):
    """Opens the wizard for the chosen :class:`RequestKind` in its own place; None on escape.

    From the kind key until the wizard's first field has focus, the app holds
    the keys typed (``AuthDeskApp.hold_keys``); the wizard releases them, in
    order, into that field. So a member ID typed right after the kind key, at
    full speed, lands whole in the member field instead of reaching the
    dashboard or this picker while the wizard opens.

    Args:
        open_wizard: False to only dismiss with the kind (for a caller that opens something else).
    """

    DEFAULT_CSS = """
    KindPickerScreen { align: center middle; }
    KindPickerScreen > Vertical {
        width: 96; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    KindPickerScreen OptionList { height: auto; border: none; padding: 0; }
    KindPickerScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="kind-cancel", tooltip="Back without starting a request"),
        *(
            Binding(str(number), f"pick({number - 1})", show=False, id=f"kind-{number}",
                    tooltip=f"Start a new {kind.label.lower()}")
            for number, (kind, _, _) in enumerate(KIND_CHOICES, start=1)
        ),
        *(
            Binding(letter, f"pick({index})", show=False, id=f"kind-{letter}",
                    tooltip=f"Start a new {kind.label.lower()}")
            for index, (kind, letter, _) in enumerate(KIND_CHOICES)
        ),
    ]

    def __init__(self, open_wizard: bool = True) -> None:
        super().__init__()
        self.open_wizard = open_wizard
        self._kind: RequestKind | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]New request[/b] — which kind?")
            yield OptionList(
                *(
                    Option(f"[b]{number}[/b]  {kind.label}  [dim]{about}[/dim]", id=kind.value)
                    for number, (kind, _, about) in enumerate(KIND_CHOICES, start=1)
                ),
                id="kind-list",
            )
            yield Static("Press 1–4 or the first letter (i, s, e, n); ↑↓ and Enter also work.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one("#kind-list", OptionList)
        options.highlighted = 1  # a service/procedure is the most common request
        options.focus()
        self.call_after_refresh(_load_wizard)

    def action_pick(self, index: int) -> None:
        """Choose the kind at ``index`` of :data:`KIND_CHOICES`."""
        self._chosen(KIND_CHOICES[index][0])

    def _chosen(self, kind: RequestKind) -> None:
        if self._kind is not None:
            return  # a second kind key typed ahead: the first one counts
        self._kind = kind
        if not self.open_wizard:
            self.dismiss(kind)
            return
        from tui.screens.wizard import WizardScreen

        hold_keys = getattr(self.app, "hold_keys", None)
        if hold_keys is not None:
            hold_keys()  # released by the wizard once its first field has focus
        self.app.switch_screen(WizardScreen(kind=kind))

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#kind-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._chosen(RequestKind(event.option.id))
