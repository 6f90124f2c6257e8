"""Exponential backoff with full jitter, as the TypeScript SDK does it."""

from __future__ import annotations

from typing import Callable

BACKOFF_BASE_SECONDS = 1.0
"""Bound of the first retry's wait; it doubles after each failure in a row, up to the cap."""


def full_jitter_delay(attempt: int, cap_seconds: float, random: Callable[[], float], base_seconds: float = BACKOFF_BASE_SECONDS) -> float:
    """Wait before retry number ``attempt`` (1 for the first): uniform in [0, min(cap, base * 2**(attempt-1))).

    Full jitter, so a fleet that failed together (an outage) does not retry in lockstep.
    """
    exponent = min(max(attempt - 1, 0), 30)
    return random() * min(cap_seconds, base_seconds * (2 ** exponent))
