"""Errors that services raise for the view to turn into a clear 4xx answer."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request the service refuses; ``message`` tells the user what to do."""

    status = 400

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        # Plain text, translated now: a lazy string renders unescaped in a template (its
        # __html__), and a message may carry what the user typed, such as a file's name.
        self.message = str(message)
        self.field = field


class NotAllowed(ServiceError):
    """The operation is not possible in the object's current state."""

    status = 409


class UploadRefused(ServiceError):
    """An uploaded file was refused by screening or by the size limit."""

    status = 422
