"""Command palette: the app's own commands (and case search)."""

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
    from store.enums import RequestKind

    for kind in RequestKind:
        items.append((f"New {kind.label.lower()}", f"Start a new {kind.label.lower()}", partial(app.new_request, kind)))
    return items


class AuthDeskCommands(Provider):
    """The app's commands in the command palette."""

    async def discover(self) -> Hits:
        for name, help_text, callback in _commands(self.app):
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in _commands(self.app):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
