"""A footer that rebuilds its keys only when they change, at most once per refresh.

Textual's :class:`~textual.widgets.Footer` removes and mounts all its keys on
every change of focus or bindings, even when the keys shown stay the same;
while a screen opens that happens several times (focus, step, bindings), and
each key re-styles itself twice as it mounts.
"""

from __future__ import annotations

from textual.dom import NoScreen
from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """The footer, rebuilt once per refresh and only when the keys it shows differ."""

    _rebuild_pending = False
    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def _keys(self) -> tuple:
        keys = tuple(
            (binding.key, binding.description, binding.action, binding.group, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values() if binding.show
        )
        return keys + (self.show_command_palette, self.compact)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached or not self.is_mounted:
            return  # the screen went away meanwhile
        try:
            keys = self._keys()
        except NoScreen:
            return
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
