"""The error hierarchy. Standard library only.

Every error a user can cause derives from :class:`TrackerError`; the CLI turns
it into a one-line message on stderr and exit code 1.
"""


class TrackerError(Exception):
    """A domain error with a message fit to show a user on one line."""

    exit_code = 1

    def __str__(self) -> str:  # keep messages on one line
        return " ".join(str(self.args[0] if self.args else "").split())


class ValidationError(TrackerError):
    """Input that breaks a rule (bad probability, unknown outcome, bad date...)."""


class NotFoundError(TrackerError):
    """A question, analyst or scenario that does not exist."""


class ConflictError(TrackerError):
    """Input that would duplicate or rewrite recorded history."""


class DatabaseError(TrackerError):
    """A database that cannot be opened, reached or upgraded."""


class FileFormatError(TrackerError):
    """A scenario, resolution, CSV or JSON file that cannot be read."""


class AuthError(TrackerError):
    """No valid credentials: not signed in, a wrong password, a revoked token."""


class ForbiddenError(TrackerError):
    """Valid credentials, but this user may not do this."""
