"""The request wizard as parts: the screen, one module per step, the draft saver.

* :mod:`.screen` — :class:`WizardScreen`: steps, navigation, keys, submission.
* :mod:`.fields` — parsing and showing field values (the store's validators).
* :mod:`.saver` — what a save writes: only what the clerk changed.
* :mod:`.steps` — one widget per step, each able to ``load(form)`` and ``collect(form)``; the
  screen builds a step on its first visit.
* :mod:`.messages` — what the screen's workers post back to it.
"""

from tui.screens.wizard.screen import WizardScreen

__all__ = ["WizardScreen"]
