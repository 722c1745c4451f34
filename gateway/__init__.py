"""The ASGI gateway in front of v1 (Flask via the WSGI bridge) and v2 (FastAPI)."""
