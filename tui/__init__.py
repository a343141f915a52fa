"""AuthDesk's Textual user interface (imports ``store``, never the reverse)."""
