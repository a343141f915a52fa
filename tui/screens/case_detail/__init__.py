"""Case detail: the screen (``screen``) and what can be done on it (``actions``)."""

from tui.screens.case_detail.screen import CaseDetailScreen, CaseSection

__all__ = ["CaseDetailScreen", "CaseSection"]
