"""Where each screen lives, so the app and the command palette open screens by name.

Modules are imported when a screen is first needed: start-up pays only for
the sign-in screen. Neither ``tui.app`` nor ``tui.commands`` has to import
the other to open a screen.
"""

from __future__ import annotations

from importlib import import_module

# Screen name -> "module:Class".
SCREEN_PATHS = {
    "sign_in": "tui.screens.sign_in:SignInScreen",
    "dashboard": "tui.screens.dashboard:DashboardScreen",
    "case_detail": "tui.screens.case_detail:CaseDetailScreen",
    "kind_picker": "tui.screens.kind_picker:KindPickerScreen",
    "wizard": "tui.screens.wizard:WizardScreen",
    "search": "tui.screens.search:SearchScreen",
    "review_queue": "tui.screens.review_queue:ReviewQueueScreen",
    "outbox": "tui.screens.outbox:OutboxScreen",
    "report": "tui.screens.report:ReportScreen",
    "renewals": "tui.screens.renewals:RenewalsScreen",
    "audit": "tui.screens.audit:AuditScreen",
    "admin": "tui.screens.admin:AdminScreen",
}


def screen_class(name: str):
    """Import and return the screen class registered as ``name``."""
    module_name, class_name = SCREEN_PATHS[name].split(":")
    return getattr(import_module(module_name), class_name)
