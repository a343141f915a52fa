"""Command palette: the app's own commands first, then the few of Textual's that fit (and case search).

:class:`AuthDeskCommands` is the palette's only command provider besides case
search: it lists AuthDesk's commands, then the system commands the app keeps
(``AuthDeskApp.get_system_commands``: theme, keys, quit). Typed queries rank an
AuthDesk command above a system command that matches as well.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


def _commands(app) -> list[tuple[str, str, object]]:
    """(name, help, callback) for the commands that fit the signed-in user."""
    user = getattr(app, "user", None)
    if user is None:
        return []
    items: list[tuple[str, str, object]] = [
        ("New request", "Start a new prior authorization request (n)", app.new_request),
        ("Search cases", "Find a case by WebCert, authorization or draft number, member ID or name", partial(app.open_screen, "search")),
        ("Outbox", "Mail queued and sent: confirmations, status changes, reminders", partial(app.open_screen, "outbox")),
        ("Report", "Approval and timing figures for your organization (CMS-0057-F)", partial(app.open_screen, "report")),
        ("Renewals", "Authorizations ending within 30 days", partial(app.open_screen, "renewals")),
    ]
    if user.is_reviewer:
        items.append(("Review queue", "Pending cases, oldest due first", partial(app.open_screen, "review_queue")))
        items.append(("Audit log", "Who viewed, exported, changed or decided which case, and sign-ins",
                      partial(app.open_screen, "audit")))
        items.append(("Import payer decisions (PAS)", "Apply ClaimResponse .json files to their cases",
                      app.import_decisions))
    items += [
        ("Contact the plan", "Intake phones and hours, fax for clinicals (F1)", app.action_plan_contacts),
        ("My account", "Your name, phone, fax, email and password (F8)", app.action_my_account),
        ("Sign out", "Sign out and switch user without quitting (F12)", app.action_sign_out),
    ]
    if user.role == "admin":
        items.append(("Administration", "Users: add, disable, unlock, new password, role (F9)",
                      app.action_administration))
    from store.enums import RequestKind

    for kind in RequestKind:
        items.append((f"New {kind.label.lower()}", f"Start a new {kind.label.lower()}", partial(app.new_request, kind)))
    items.append(("Lock the session", "Hide everything behind your password now (ctrl+l)", app.action_lock))
    return items


SYSTEM_RANK = 0.8  # a system command's match counts for less than an AuthDesk command's


def _system_commands(app, screen) -> list[tuple[str, str, object]]:
    """(name, help, callback) of the Textual commands the app keeps (theme, keys, quit)."""
    return [(command.title, command.help, command.callback) for command in app.get_system_commands(screen)]


class AuthDeskCommands(Provider):
    """AuthDesk's commands, then the system commands the app keeps."""

    async def discover(self) -> Hits:
        for name, help_text, callback in _commands(self.app):
            yield DiscoveryHit(name, callback, help=help_text)
        for name, help_text, callback in _system_commands(self.app, self.screen):
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for rank, commands in ((1.0, _commands(self.app)), (SYSTEM_RANK, _system_commands(self.app, self.screen))):
            for name, help_text, callback in commands:
                score = matcher.match(name)
                if score > 0:
                    yield Hit(score * rank, matcher.highlight(name), callback, help=help_text)


CASE_HITS = 8


class CaseSearchCommands(Provider):
    """Cases by WebCert, authorization or draft number, member ID or member name.

    Each keystroke runs :func:`store.services.search.search_cases` in a
    thread (the palette cancels a search that is overtaken); a hit opens the
    case (a draft in the wizard). The last hit opens the search screen with
    what was typed.
    """

    def _find_cases(self, text: str) -> list:
        from store.services.search import search_cases

        with self.app.store.session() as session:
            return search_cases(session, self.app.user, text, limit=CASE_HITS)

    async def search(self, query: str) -> Hits:
        import asyncio

        from store.enums import RequestStatus
        from tui.format import STATUS_SHORT
        from tui.widgets.request_list import open_request

        app = self.app
        text = query.strip()
        if getattr(app, "user", None) is None or len(text) < 2:
            return
        try:
            rows = await asyncio.to_thread(self._find_cases, text)
        except Exception:  # the palette stays usable when the database does not answer
            rows = []
        for rank, row in enumerate(rows):
            number = row.webcert_number or row.draft_number
            label = f"{number} · {row.member_name or row.member_id or 'no member'}"
            status = STATUS_SHORT[RequestStatus(row.status)]
            extra = f" · {row.auth_number}" if row.auth_number else ""
            yield Hit(
                0.95 - rank * 0.01,
                label,
                partial(open_request, app, row),
                help=f"{status} case{extra} · member ID {row.member_id or '—'}",
            )
        yield Hit(0.3, f"Search cases for “{text}”", partial(app.open_screen, "search", text),
                  help="Open the search screen with this text")
