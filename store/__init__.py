"""AuthDesk's data layer: tables, migrations, services and code sets.

Nothing in this package imports Textual; the UI in ``tui`` imports from here,
never the reverse.
"""
