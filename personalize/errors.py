"""User errors: an exception with a message that says how to fix it and an exit code.

Library code raises these; the CLI catches them once, prints the message and exits with
the code, so no command has its own try/except around the same thing.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix (a bad file, a missing option). Exit code 1 by default."""

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class ConfigError(UserError):
    """A setting, file or secret the service cannot start with. Exit code 2."""

    exit_code = 2
