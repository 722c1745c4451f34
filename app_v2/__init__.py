"""The new API (v2): FastAPI routers over core."""
