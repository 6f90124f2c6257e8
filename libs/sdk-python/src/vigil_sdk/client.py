"""VigilClient: heartbeats for agents (``client.mesh``) and the operator calls of the Vigil API."""

from __future__ import annotations

import random as _random
import time
import urllib.parse
from typing import Any, Callable, Dict, Iterator, Mapping, Optional

from .errors import VigilApiError, VigilUsageError
from .heartbeat import HeartbeatPort, Mesh
from .transport import HttpTransport, Requester, urllib_requester

DEFAULT_TIMEOUT_SECONDS = 10.0
"""Time allowed for one API call before it counts as a (retriable) timeout."""


def _quote(agent_id: str) -> str:
    return urllib.parse.quote(agent_id, safe="")


class VigilClient:
    """The Vigil API client. Agents use ``client.mesh.start_heartbeat(...)``; operators and tools the other calls.

    Raises VigilUsageError at construction for bad options; operator calls raise VigilApiError when they fail.
    """

    def __init__(
        self,
        api_key: str,
        url: str = "http://127.0.0.1:8080",
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        requester: Requester = urllib_requester,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
    ) -> None:
        if not isinstance(api_key, str) or api_key == "":
            raise VigilUsageError("VIGIL_ERR_INVALID_OPTIONS", "VigilClient: api_key is required (a Bearer API key of your tenant)", "api_key")
        parsed = urllib.parse.urlparse(url) if isinstance(url, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise VigilUsageError("VIGIL_ERR_INVALID_OPTIONS", "VigilClient: url must be an http(s) URL such as http://127.0.0.1:8080", "url")
        if isinstance(timeout_seconds, bool) or not isinstance(timeout_seconds, (int, float)) or timeout_seconds <= 0:
            raise VigilUsageError("VIGIL_ERR_INVALID_OPTIONS", "VigilClient: timeout_seconds must be a positive number", "timeout_seconds")
        self._http = HttpTransport(url, api_key, float(timeout_seconds), requester, wall_clock)
        self.mesh = Mesh(HeartbeatPort(heartbeat=self.heartbeat, goodbye=self.goodbye, wall_clock=wall_clock, monotonic=monotonic, random=random))
        """Heartbeats of this process."""

    # ---- agent calls ----------------------------------------------------------------------------------------------

    def heartbeat(self, body: Mapping[str, Any]) -> Dict[str, Any]:
        """``POST /v1/heartbeats``: one beat (or ``{"heartbeats": [...]}``); the answer says whether the agent is killed."""
        answer = self._http.request("POST", "/v1/heartbeats", dict(body))
        if not isinstance(answer, dict) or not isinstance(answer.get("agents"), list):
            raise VigilApiError("VIGIL_ERR_INVALID_RESPONSE", "POST /v1/heartbeats: answer does not match the API contract", status=202)
        return answer

    def goodbye(self, agent_id: str, body: Optional[Mapping[str, Any]] = None) -> None:
        """``POST /v1/agents/:id/goodbye``: the agent shuts down on purpose (status ``stopped``, never alerts)."""
        self._http.request("POST", f"/v1/agents/{_quote(agent_id)}/goodbye", dict(body or {}))

    # ---- operator calls -------------------------------------------------------------------------------------------

    def kill(self, agent_id: str, reason: str, by: Optional[str] = None) -> None:
        """``POST /v1/agents/:id/kill``: the agent stays killed, whatever its beats say, until resumed."""
        body: Dict[str, Any] = {"reason": reason}
        if by is not None:
            body["by"] = by
        self._http.request("POST", f"/v1/agents/{_quote(agent_id)}/kill", body)

    def resume(self, agent_id: str, reason: Optional[str] = None, by: Optional[str] = None) -> None:
        """``POST /v1/agents/:id/resume``: lifts a kill (VigilApiError with status 409 when the agent is not killed)."""
        body: Dict[str, Any] = {}
        if reason is not None:
            body["reason"] = reason
        if by is not None:
            body["by"] = by
        self._http.request("POST", f"/v1/agents/{_quote(agent_id)}/resume", body)

    def list_agents_page(self, status: Optional[str] = None, deliverable: Optional[bool] = None, labels: Optional[Mapping[str, str]] = None, limit: Optional[int] = None, cursor: Optional[str] = None) -> Dict[str, Any]:
        """``GET /v1/agents``: one page, ``{"items": [...], "nextCursor": ...}``."""
        query = {
            "status": status,
            "deliverable": deliverable,
            "label": [f"{k}:{v}" for k, v in labels.items()] if labels else None,
            "limit": limit,
            "cursor": cursor,
        }
        page = self._http.request("GET", "/v1/agents", query=query)
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            raise VigilApiError("VIGIL_ERR_INVALID_RESPONSE", "GET /v1/agents: answer does not match the API contract", status=200)
        return page

    def list_agents(self, status: Optional[str] = None, deliverable: Optional[bool] = None, labels: Optional[Mapping[str, str]] = None, limit: Optional[int] = None) -> Iterator[Dict[str, Any]]:
        """Every agent matching the filter, fetching pages as the loop goes."""
        cursor: Optional[str] = None
        while True:
            page = self.list_agents_page(status, deliverable, labels, limit, cursor)
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor:
                return

    def get_agent(self, agent_id: str) -> Dict[str, Any]:
        """``GET /v1/agents/:id``; a missing agent is a VigilApiError with status 404."""
        agent = self._http.request("GET", f"/v1/agents/{_quote(agent_id)}")
        if not isinstance(agent, dict):
            raise VigilApiError("VIGIL_ERR_INVALID_RESPONSE", "GET /v1/agents/:id: answer does not match the API contract", status=200)
        return agent

    def summary(self) -> Dict[str, Any]:
        """``GET /v1/fleet/summary``: counts per status for the tenant."""
        answer = self._http.request("GET", "/v1/fleet/summary")
        if not isinstance(answer, dict):
            raise VigilApiError("VIGIL_ERR_INVALID_RESPONSE", "GET /v1/fleet/summary: answer does not match the API contract", status=200)
        return answer
