"""The gateway's cross-cutting concerns, one pure-ASGI class per file."""
