"""The ASGI gateway in front of v1 (Flask via a2wsgi) and v2 (FastAPI)."""
