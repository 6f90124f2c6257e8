"""Authenticated JSON calls over urllib, every failure mapped to a VigilApiError."""

from __future__ import annotations

import email.utils
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, Union

from .errors import VigilApiError

QueryValue = Union[str, int, float, bool, Sequence[str], None]

Requester = Callable[[str, str, Mapping[str, str], Optional[bytes], float], Tuple[int, Mapping[str, str], bytes]]
"""(method, url, headers, body, timeout) -> (status, headers, body); raises OSError when no answer arrives."""


def urllib_requester(method: str, url: str, headers: Mapping[str, str], body: Optional[bytes], timeout: float) -> Tuple[int, Mapping[str, str], bytes]:
    """The default requester: the standard library's urllib, error statuses returned rather than raised."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in (err.headers or {}).items()}, err.read() or b""


def parse_retry_after(header: Optional[str], now: float) -> Optional[float]:
    """``Retry-After`` (delta seconds or an HTTP date) in seconds from ``now`` (epoch seconds); None when absent or bad."""
    if header is None:
        return None
    text = header.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - now)


class HttpTransport:
    """Makes the SDK's calls: a JSON body in, the parsed JSON answer out, or a VigilApiError."""

    def __init__(self, base_url: str, api_key: str, timeout_seconds: float, requester: Requester = urllib_requester, wall_clock: Callable[[], float] = time.time) -> None:
        self._base = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout_seconds
        self._requester = requester
        self._wall_clock = wall_clock

    def url(self, path: str, query: Optional[Mapping[str, QueryValue]] = None) -> str:
        """Absolute URL of an API path; None values are left out, sequences repeat the key."""
        pairs = []
        for key, value in (query or {}).items():
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                pairs.extend((key, str(v)) for v in value)
            elif isinstance(value, bool):
                pairs.append((key, "true" if value else "false"))
            else:
                pairs.append((key, str(value)))
        return self._base + path + (("?" + urllib.parse.urlencode(pairs)) if pairs else "")

    def request(self, method: str, path: str, body: Any = None, query: Optional[Mapping[str, QueryValue]] = None) -> Any:
        """Sends one call; returns the decoded JSON answer (None for an empty one)."""
        label = f"{method} {path}"
        headers: Dict[str, str] = {"authorization": f"Bearer {self._api_key}", "accept": "application/json"}
        data = None
        if body is not None:
            headers["content-type"] = "application/json"
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
        try:
            status, response_headers, raw = self._requester(method, self.url(path, query), headers, data, self._timeout)
        except (socket.timeout, TimeoutError) as err:
            raise VigilApiError("VIGIL_ERR_TIMEOUT", f"{label}: no answer within {self._timeout} s", status=None) from err
        except (OSError, urllib.error.URLError) as err:
            reason = getattr(err, "reason", err)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise VigilApiError("VIGIL_ERR_TIMEOUT", f"{label}: no answer within {self._timeout} s", status=None) from err
            raise VigilApiError("VIGIL_ERR_NETWORK", f"{label}: cannot reach {self._base} ({reason})", status=None) from err
        text = raw.decode("utf-8", errors="replace")
        if status >= 400 or status < 200:
            raise self._error_from(label, status, response_headers, text)
        if text.strip() == "":
            return None
        try:
            return json.loads(text)
        except ValueError as err:
            raise VigilApiError("VIGIL_ERR_INVALID_RESPONSE", f"{label}: answer is not JSON", status=status) from err

    def _error_from(self, label: str, status: int, headers: Mapping[str, str], text: str) -> VigilApiError:
        retry_after = parse_retry_after(headers.get("retry-after"), self._wall_clock())
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str):
            field = error.get("field") if isinstance(error.get("field"), str) else None
            return VigilApiError(error["code"], error["message"], status=status, field=field, retry_after_seconds=retry_after)
        snippet = text.strip()[:200]
        return VigilApiError("VIGIL_ERR_HTTP", f"{label}: HTTP {status}" + (f" ({snippet})" if snippet else ""), status=status, retry_after_seconds=retry_after)
