"""Helpers shared by the two FastAPI edges (the v2 app and the gateway's own routes)."""
