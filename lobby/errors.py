"""The one error type the domain refuses with.

A service that cannot do what was asked raises a `DomainError` (or an app's subclass of it) whose
message is written for the person who tried, translated, in plain words. Views catch `DomainError`
in one way (the message, a 4xx answer, nothing changed); input that does not even parse is a form
error before any service runs.
"""

from __future__ import annotations


class DomainError(Exception):
    """Something asked of the domain that cannot be done; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """What was asked for is not there (or not in the asker's branch): answered as 404."""


class Conflict(DomainError):
    """Someone else got there first (a claimed customer, a called ticket): answered as 409."""
