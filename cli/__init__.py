"""The `reqgate` command line."""
