"""Persistence: SQLModel tables, engines and sessions, checksum-only records."""
