"""One module per workflow; plain functions taking a Session."""
