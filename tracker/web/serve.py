"""The application uvicorn loads in each worker process (``tracker serve``
passes the database through the environment, as uvicorn's workers need)."""

from __future__ import annotations

import os


def app():
    from .app import create_app

    secure = os.environ.get("TRACKER_SERVE_SECURE_COOKIES")
    return create_app(os.environ["TRACKER_SERVE_URL"], pool_size=int(os.environ.get("TRACKER_SERVE_POOL", "8")),
                      secure_cookies=None if secure is None else secure == "1")
