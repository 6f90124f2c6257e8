"""Vigil SDK for Python: heartbeats for long-running agents, and the operator calls of the Vigil API.

    from vigil_sdk import VigilClient
    client = VigilClient(api_key=..., url="http://127.0.0.1:8080")
    client.mesh.start_heartbeat(agent_id="summariser-1", interval_seconds=30)
"""

from .backoff import BACKOFF_BASE_SECONDS, full_jitter_delay
from .client import DEFAULT_TIMEOUT_SECONDS, VigilClient
from .errors import VigilApiError, VigilError, VigilUsageError, is_retriable_status
from .heartbeat import (
    DEFAULT_INTERVAL_SECONDS,
    DEFAULT_STOP_TIMEOUT_SECONDS,
    MAX_BUFFERED_METRICS,
    HeartbeatPort,
    HeartbeatSession,
    HeartbeatStats,
    Mesh,
)

__version__ = "0.1.0"

__all__ = [
    "BACKOFF_BASE_SECONDS",
    "DEFAULT_INTERVAL_SECONDS",
    "DEFAULT_STOP_TIMEOUT_SECONDS",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_BUFFERED_METRICS",
    "HeartbeatPort",
    "HeartbeatSession",
    "HeartbeatStats",
    "Mesh",
    "VigilApiError",
    "VigilClient",
    "VigilError",
    "VigilUsageError",
    "full_jitter_delay",
    "is_retriable_status",
]
