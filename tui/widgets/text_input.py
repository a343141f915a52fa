"""A text input whose editing keys act in the order they were typed.

Textual hands a printable key to the focused Input, which types it at once,
while a key bound by the Input itself (backspace, delete, ←/→, home/end,
ctrl+u/k/w, Enter…) first bubbles up through every parent to the app, which
only then runs the binding. Keys typed in a burst — a fast typist while the
app is busy for a moment, a barcode scanner, a password manager — were thus
reordered: ``abc⌫d`` came out as ``abc`` (``d`` typed, then the backspace
deleted it), and ctrl+u then a new member ID emptied the field (the ID typed
over the selected old one, then ctrl+u deleted everything left of the cursor).

:class:`TextInput` runs its own bindings as its key handler sees them, in the
queue order of the keys. The precedence is Textual's: the focused widget's
bindings come first in the binding chain (a priority binding of the app or
the screen has acted before the key reached the input at all).
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class OwnBindingsFirst:
    """For a focusable widget: its own (non-priority) bindings run in its key handler, in the
    order the keys reached it, instead of after the key has bubbled up to the app."""

    async def run_own_binding(self, key: str) -> bool:
        """Run this widget's binding for ``key`` (after the app's keymap), if it has one that is enabled.

        Whether this widget still has focus does not matter: a key in its queue was typed into it
        (an Enter typed after it may already have moved the focus on).

        Returns:
            Whether a binding ran (False: the key goes on up to the screen and the app as usual).
        """
        bindings = self._bindings
        keymap = getattr(self.app, "_keymap", None)
        if keymap:
            bindings = bindings.copy()
            bindings.apply_keymap(keymap)
        for binding in bindings.key_to_bindings.get(key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                return True
        return False


class TextInput(OwnBindingsFirst, Input):
    """An Input whose own key bindings act in typing order (see the module docstring)."""

    async def _on_key(self, event: events.Key) -> None:
        await super()._on_key(event)
        if event.is_printable or event._stop_propagation:
            return
        if await self.run_own_binding(event.key):
            event.stop()
            event.prevent_default()
