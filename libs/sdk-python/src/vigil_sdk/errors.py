"""Errors of the Vigil SDK: every failed API call is a VigilApiError with the server's stable code."""

from __future__ import annotations

from typing import Optional


class VigilError(Exception):
    """Base of every error the SDK raises on purpose: a stable ``code`` and whether a retry may help."""

    def __init__(self, code: str, message: str, *, retriable: bool = False, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retriable = retriable
        self.field = field

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class VigilUsageError(VigilError):
    """A programming error at construction (bad options): raised at once, never retriable."""

    def __init__(self, code: str, message: str, field: Optional[str] = None) -> None:
        super().__init__(code, message, retriable=False, field=field)


def is_retriable_status(status: Optional[int]) -> bool:
    """Whether an HTTP status (or no answer at all, None) means the same call may succeed later."""
    return status is None or status in (408, 429) or status >= 500


class VigilApiError(VigilError):
    """A call to the Vigil API failed; ``status`` is None when no answer arrived (network failure, timeout)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: Optional[int],
        field: Optional[str] = None,
        retry_after_seconds: Optional[float] = None,
    ) -> None:
        super().__init__(code, message, retriable=is_retriable_status(status), field=field)
        self.status = status
        self.retry_after_seconds = retry_after_seconds
