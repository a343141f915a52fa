"""Textual's own palette commands, pared down to what a clerk uses and listed after AuthDesk's.

Textual offers Theme, Keys, Quit, Screenshot, Maximize/Minimize … in every
palette. A clerk keeps the theme switch (the pick is saved, see
:mod:`store.config`), the keys panel and Quit; the rest is dropped. Their hits
score below AuthDesk's, so the app's own commands come first.
"""

from __future__ import annotations

from textual.command import Hit, Hits, Provider

KEPT_SYSTEM_COMMANDS = ("Theme", "Keys", "Quit")
BELOW_APP_COMMANDS = 0.9  # a system command's match counts a little less than the app's own


class ClerkSystemCommands(Provider):
    """Theme, Keys and Quit from Textual, after AuthDesk's commands."""

    def _commands(self) -> list:
        return [command for command in self.app.get_system_commands(self.screen)
                if command.title in KEPT_SYSTEM_COMMANDS]

    async def discover(self) -> Hits:
        """Listed below every app command when nothing is typed (a score under a discovery hit's 0)."""
        for command in self._commands():
            yield Hit(-1.0, command.title, command.callback, text=command.title, help=command.help)

    async def search(self, query: str) -> Hits:
        """Matched like the app's commands, ranked just below them."""
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score * BELOW_APP_COMMANDS, matcher.highlight(command.title), command.callback,
                          text=command.title, help=command.help)


__all__ = ["ClerkSystemCommands", "KEPT_SYSTEM_COMMANDS"]
