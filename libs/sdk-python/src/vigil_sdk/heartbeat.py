"""The heartbeat of one agent on a daemon thread, and the mesh of this process's heartbeats."""

from __future__ import annotations

import datetime
import logging
import math
import os
import random as _random
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional

from .backoff import full_jitter_delay
from .errors import VigilApiError, VigilError, VigilUsageError

LOGGER = logging.getLogger("vigil_sdk")
# A library stays silent unless the application configures logging (then failures show as warnings of "vigil_sdk").
LOGGER.addHandler(logging.NullHandler())

DEFAULT_INTERVAL_SECONDS = 30.0
"""Beat interval the platform's default thresholds (3x and 10x) are tuned for."""
MAX_BUFFERED_METRICS = 10_000
"""Most metric samples kept between beats; the server accepts at most this many in one heartbeat."""
DEFAULT_STOP_TIMEOUT_SECONDS = 5.0
"""Longest ``stop_heartbeat`` takes: last beat, then the goodbye, retried while time is left."""
RETRY_AFTER_MIN_SECONDS = 1.0
RETRY_AFTER_MAX_SECONDS = 3600.0
GOODBYE_BACKOFF_BASE_SECONDS = 0.25

_AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$")
_PROCESS_INSTANCE_ID = str(uuid.uuid4())

KillCallback = Callable[[Dict[str, Any]], None]


@dataclass
class HeartbeatPort:
    """What a session needs from the client and the world; injected so tests run without threads, sleeps or network."""

    heartbeat: Callable[[Dict[str, Any]], Dict[str, Any]]
    goodbye: Callable[[str, Dict[str, Any]], None]
    wall_clock: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    random: Callable[[], float] = _random.random


@dataclass
class HeartbeatStats:
    """Counters for diagnostics."""

    beats_accepted: int = 0
    beats_failed: int = 0
    dropped_metrics: int = 0
    invalid_inputs: int = 0
    callback_errors: int = 0
    next_seq: int = 0
    pending_metrics: int = 0


@dataclass
class _Beat:
    body: Dict[str, Any]
    seq: int
    metrics: List[Dict[str, Any]] = field(default_factory=list)


def _iso(epoch_seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch_seconds, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class HeartbeatSession:
    """Beats at once and then every interval; a failed beat is sent again as it was (same seq) with backoff and full
    jitter (Retry-After wins). Never raises into the agent: failures are logged and counted.
    """

    def __init__(
        self,
        port: HeartbeatPort,
        agent_id: str,
        interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
        include_metrics: bool = True,
        on_killed: Optional[KillCallback] = None,
        on_resumed: Optional[KillCallback] = None,
        instance_id: Optional[str] = None,
        labels: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        host: Optional[str] = None,
    ) -> None:
        if not isinstance(agent_id, str) or not 0 < len(agent_id) <= 128 or not _AGENT_ID.match(agent_id):
            raise VigilUsageError("VIGIL_ERR_INVALID_OPTIONS", 'start_heartbeat: agent_id may hold letters, digits and . _ : @ - (no spaces or "/"), 1 to 128 of them', "agent_id")
        if not _number(interval_seconds) or not 0 < interval_seconds <= 86_400:
            raise VigilUsageError("VIGIL_ERR_INVALID_OPTIONS", "start_heartbeat: interval_seconds must be a number in (0, 86400]", "interval_seconds")
        for name, callback in (("on_killed", on_killed), ("on_resumed", on_resumed)):
            if callback is not None and not callable(callback):
                raise VigilUsageError("VIGIL_ERR_INVALID_OPTIONS", f"start_heartbeat: {name} must be callable", name)
        if instance_id is not None and (not isinstance(instance_id, str) or not 0 < len(instance_id) <= 128):
            raise VigilUsageError("VIGIL_ERR_INVALID_OPTIONS", "start_heartbeat: instance_id must be a string of 1 to 128 characters", "instance_id")
        if labels is not None and (not isinstance(labels, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())):
            raise VigilUsageError("VIGIL_ERR_INVALID_OPTIONS", "start_heartbeat: labels must map strings to strings", "labels")
        self.agent_id = agent_id
        self.interval_seconds = float(interval_seconds)
        self.instance_id = instance_id or _PROCESS_INSTANCE_ID
        self._port = port
        self._include_metrics = include_metrics
        self._on_killed = on_killed
        self._on_resumed = on_resumed
        self._static: Dict[str, Any] = {"host": (host or socket.gethostname())[:255], "pid": os.getpid()}
        if labels is not None:
            self._static["labels"] = dict(labels)
        if version is not None:
            self._static["version"] = str(version)[:64]
        self._lock = threading.Lock()
        self._metrics: List[Dict[str, Any]] = []
        self._progress: Optional[Dict[str, int]] = None
        self._seq = 0
        self._pending: Optional[_Beat] = None
        self._failures = 0
        self._killed = False
        self._stats = HeartbeatStats()
        self._stop_event = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._stopped = False
        self._stop_lock = threading.Lock()

    # ---- the agent's calls (never raise) -------------------------------------------------------------------------

    @property
    def killed(self) -> bool:
        """Whether the last answer said the agent is killed."""
        return self._killed

    @property
    def running(self) -> bool:
        """Whether beats are being sent."""
        return self._thread is not None and not self._stopped

    @property
    def stats(self) -> HeartbeatStats:
        """A copy of the counters."""
        with self._lock:
            pending = len(self._metrics) + (len(self._pending.metrics) if self._pending else 0)
            return HeartbeatStats(**{**self._stats.__dict__, "next_seq": self._seq, "pending_metrics": pending})

    def report_metric(self, success: Any, latency_ms: Any = None, cost_usd: Any = None) -> None:
        """Records one unit of work for the next beat; an invalid sample is logged, counted and ignored."""
        problem = None
        if not isinstance(success, bool):
            problem = "success must be True or False"
        elif latency_ms is not None and (not _number(latency_ms) or not 0 <= latency_ms <= 86_400_000):
            problem = "latency_ms must be a number in [0, 86400000]"
        elif cost_usd is not None and (not _number(cost_usd) or not 0 <= cost_usd <= 1_000_000):
            problem = "cost_usd must be a number in [0, 1000000]"
        if problem is not None:
            return self._invalid("report_metric", problem)
        if self._stopped or not self._include_metrics:
            return
        sample: Dict[str, Any] = {"success": success}
        if latency_ms is not None:
            sample["latencyMs"] = latency_ms
        if cost_usd is not None:
            sample["costUsd"] = cost_usd
        with self._lock:
            self._metrics.append(sample)
            excess = len(self._metrics) - MAX_BUFFERED_METRICS
            if excess > 0:
                del self._metrics[:excess]
                self._stats.dropped_metrics += excess

    def progress(self, completed: Any, in_flight: Any = 0) -> None:
        """Records progress (completed so far, in flight now); every beat carries the latest. Invalid values are ignored."""
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (completed, in_flight)):
            return self._invalid("progress", "completed and in_flight must be non-negative integers")
        with self._lock:
            self._progress = {"completed": completed, "inFlight": in_flight}

    # ---- lifecycle ------------------------------------------------------------------------------------------------

    def start(self) -> "HeartbeatSession":
        """Starts the daemon thread; the first beat leaves at once."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"vigil-heartbeat-{self.agent_id}", daemon=True)
            self._thread.start()
        return self

    def stop(self, reason: Optional[str] = None, timeout_seconds: float = DEFAULT_STOP_TIMEOUT_SECONDS, sleep: Optional[Callable[[float], None]] = None) -> None:
        """Stops beating, sends a last beat if samples wait, then the goodbye, retried with backoff within
        ``timeout_seconds``. Idempotent; never raises.
        """
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        deadline = self._port.monotonic() + max(0.0, timeout_seconds)
        self._stop_event.set()
        was_started = self._thread is not None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(max(0.0, deadline - self._port.monotonic()))
        if not was_started:
            return
        with self._lock:
            flush = self._pending is not None or len(self._metrics) > 0
        if flush and self._port.monotonic() < deadline:
            self.beat_once()
        self._goodbye(reason, deadline, sleep or time.sleep)

    # ---- the loop (beat_once and next_delay are the steps the unit tests drive) -----------------------------------

    def _run(self) -> None:
        while not self._stop_event.is_set():
            started = self._port.monotonic()
            retry_after = self.beat_once()
            if self._stop_event.is_set():
                return
            self._stop_event.wait(self.next_delay(retry_after, started))

    def next_delay(self, retry_after: Optional[float], started: float) -> float:
        """Seconds until the next beat: Retry-After when the server sent one, backoff with full jitter (capped at the
        interval) after a failure, else the rest of the interval (measured from the start of the beat).
        """
        if retry_after is not None:
            return min(RETRY_AFTER_MAX_SECONDS, max(RETRY_AFTER_MIN_SECONDS, retry_after))
        if self._failures > 0:
            return full_jitter_delay(self._failures, self.interval_seconds, self._port.random)
        return max(0.0, self.interval_seconds - (self._port.monotonic() - started))

    def beat_once(self) -> Optional[float]:
        """Sends the next beat, or the pending one again; returns the Retry-After to honour, if any. Never raises."""
        with self._lock:
            if self._pending is None:
                self._pending = self._next_beat()
            beat = self._pending
        try:
            answer = self._port.heartbeat(beat.body)
        except Exception as err:  # noqa: BLE001 - nothing may escape into the agent's thread
            retriable = not isinstance(err, VigilError) or err.retriable
            with self._lock:
                self._stats.beats_failed += 1
                self._failures += 1
                if not retriable:
                    # Refused for good: it would be refused forever, so its samples are counted as dropped.
                    self._pending = None
                    self._stats.dropped_metrics += len(beat.metrics)
            LOGGER.warning("vigil: heartbeat of %s failed: %s", self.agent_id, err)
            return err.retry_after_seconds if isinstance(err, VigilApiError) else None
        with self._lock:
            self._pending = None
            self._failures = 0
            self._stats.beats_accepted += 1
        mine = next((a for a in (answer or {}).get("agents", []) if isinstance(a, dict) and a.get("agentId") == self.agent_id), None)
        killed = bool(mine.get("killed")) if mine is not None else self._killed
        status = mine.get("status") if mine is not None else None
        self._note_killed(killed, status)
        return None

    def _next_beat(self) -> _Beat:
        metrics = self._metrics if self._include_metrics else []
        self._metrics = []
        seq = self._seq
        self._seq += 1
        body: Dict[str, Any] = {
            "agentId": self.agent_id,
            "instanceId": self.instance_id,
            "intervalSeconds": self.interval_seconds,
            "seq": seq,
            "sentAt": _iso(self._port.wall_clock()),
            **self._static,
        }
        if metrics:
            body["metrics"] = metrics
        if self._progress is not None:
            body["progress"] = dict(self._progress)
        return _Beat(body=body, seq=seq, metrics=metrics)

    def _goodbye(self, reason: Optional[str], deadline: float, sleep: Callable[[float], None]) -> None:
        body: Dict[str, Any] = {"instanceId": self.instance_id}
        if reason is not None:
            body["reason"] = str(reason)[:512]
        attempt = 0
        while True:
            attempt += 1
            try:
                self._port.goodbye(self.agent_id, body)
                return
            except Exception as err:  # noqa: BLE001
                LOGGER.warning("vigil: goodbye of %s failed: %s", self.agent_id, err)
                if isinstance(err, VigilError) and not err.retriable:
                    return
                wait = err.retry_after_seconds if isinstance(err, VigilApiError) and err.retry_after_seconds is not None else None
                if wait is None:
                    wait = full_jitter_delay(attempt, math.inf, self._port.random, GOODBYE_BACKOFF_BASE_SECONDS)
                if self._port.monotonic() + wait >= deadline:
                    return
                sleep(wait)

    def _note_killed(self, killed: bool, status: Optional[str]) -> None:
        if killed == self._killed:
            return
        self._killed = killed
        callback = self._on_killed if killed else self._on_resumed
        if callback is None:
            return
        try:
            callback({"agent_id": self.agent_id, "status": status})
        except Exception:  # noqa: BLE001 - an agent's callback must not stop its heartbeat
            with self._lock:
                self._stats.callback_errors += 1
            LOGGER.exception("vigil: %s callback of %s raised", "on_killed" if killed else "on_resumed", self.agent_id)

    def _invalid(self, call: str, problem: str) -> None:
        with self._lock:
            self._stats.invalid_inputs += 1
        LOGGER.warning("vigil: %s ignored (VIGIL_ERR_INVALID_INPUT): %s", call, problem)


class Mesh:
    """The heartbeats of this process (``client.mesh``). Usually one agent per process, so ``report_metric``,
    ``progress`` and ``stop_heartbeat`` need no agent id then; a process hosting several agents passes it.
    """

    def __init__(self, port: HeartbeatPort) -> None:
        self._port = port
        self._sessions: Dict[str, HeartbeatSession] = {}
        self._lock = threading.Lock()
        self.ignored_calls = 0
        """Calls (report_metric, progress) ignored because no heartbeat of theirs runs."""

    def start_heartbeat(
        self,
        agent_id: str,
        interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
        include_metrics: bool = True,
        on_killed: Optional[KillCallback] = None,
        on_resumed: Optional[KillCallback] = None,
        instance_id: Optional[str] = None,
        labels: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        start: bool = True,
    ) -> HeartbeatSession:
        """Starts beating for one agent on a daemon thread (at once, then every ``interval_seconds``).

        Raises VigilUsageError for bad options, or when a heartbeat of this agent already runs.
        """
        session = HeartbeatSession(self._port, agent_id, interval_seconds, include_metrics, on_killed, on_resumed, instance_id, labels, version)
        with self._lock:
            existing = self._sessions.get(agent_id)
            if existing is not None and not existing._stopped:
                raise VigilUsageError("VIGIL_ERR_INVALID_OPTIONS", f"start_heartbeat: a heartbeat for {agent_id} is already running; stop it first", "agent_id")
            self._sessions[agent_id] = session
        return session.start() if start else session

    def session(self, agent_id: Optional[str] = None) -> Optional[HeartbeatSession]:
        """The session of an agent, or the only one when none is named."""
        with self._lock:
            if agent_id is not None:
                return self._sessions.get(agent_id)
            running = [s for s in self._sessions.values() if not s._stopped] or list(self._sessions.values())
            return running[0] if len(running) == 1 else None

    def report_metric(self, success: Any, latency_ms: Any = None, cost_usd: Any = None, agent_id: Optional[str] = None) -> None:
        """Records one unit of work for the next beat. Never raises."""
        session = self._find(agent_id, "report_metric")
        if session is not None:
            session.report_metric(success, latency_ms, cost_usd)

    def progress(self, completed: Any, in_flight: Any = 0, agent_id: Optional[str] = None) -> None:
        """Records progress for the next beats. Never raises."""
        session = self._find(agent_id, "progress")
        if session is not None:
            session.progress(completed, in_flight)

    def stop_heartbeat(self, agent_id: Optional[str] = None, reason: Optional[str] = None, timeout_seconds: float = DEFAULT_STOP_TIMEOUT_SECONDS) -> None:
        """Stops one agent's heartbeat, or all of them, sending the goodbyes (status ``stopped``). Never raises."""
        with self._lock:
            sessions = list(self._sessions.values()) if agent_id is None else [s for s in [self._sessions.get(agent_id)] if s is not None]
        for session in sessions:
            session.stop(reason=reason, timeout_seconds=timeout_seconds)

    def _find(self, agent_id: Optional[str], call: str) -> Optional[HeartbeatSession]:
        session = self.session(agent_id)
        if session is None:
            self.ignored_calls += 1
            LOGGER.warning("vigil: %s ignored (VIGIL_ERR_NO_HEARTBEAT): %s; call mesh.start_heartbeat() first", call, "no heartbeat started" if agent_id is None else f"no heartbeat for {agent_id}")
        return session
