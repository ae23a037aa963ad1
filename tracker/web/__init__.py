"""The team server: a FastAPI application over the same services as the
command line (``tracker serve``).

- ``app``: the application factory, authentication (session cookie or API
  token), CSRF, login rate limits, error responses;
- ``api``: the JSON API under ``/api`` (OpenAPI at ``/openapi.json``);
- ``pages``: the server-rendered pages (Jinja2, no JavaScript needed).

A request runs as its signed-in user: forecasts are recorded under that name,
the role rules of :mod:`tracker.services.users` apply, and on PostgreSQL each
transaction runs under ``SET LOCAL ROLE`` that user so the database's own
grants and row-level security apply too.
"""

from .app import create_app

__all__ = ["create_app"]
