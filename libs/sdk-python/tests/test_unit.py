"""Unit tests of vigil_sdk: an injected clock, randomness and sleeper; no network, no sleeps (python3 -m unittest)."""

from __future__ import annotations

import json
import threading
import time
import unittest
from typing import Any, Dict, List, Optional, Tuple

from vigil_sdk import HeartbeatPort, Mesh, VigilApiError, VigilClient, VigilUsageError, full_jitter_delay


class FakeClock:
    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = start

    def wall(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class FakeApi:
    """Records beats and goodbyes; answers with what the test queued (an answer dict or an exception)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.beats: List[Dict[str, Any]] = []
        self.goodbyes: List[Tuple[str, Dict[str, Any]]] = []
        self.beat_answers: List[Any] = []
        self.goodbye_answers: List[Any] = []
        self.killed = False

    def heartbeat(self, body: Dict[str, Any]) -> Dict[str, Any]:
        self.beats.append(json.loads(json.dumps(body)))
        answer = self.beat_answers.pop(0) if self.beat_answers else None
        if isinstance(answer, Exception):
            raise answer
        return answer or {"accepted": 1, "agents": [{"agentId": body["agentId"], "killed": self.killed, "status": "killed" if self.killed else "healthy"}]}

    def goodbye(self, agent_id: str, body: Dict[str, Any]) -> None:
        self.goodbyes.append((agent_id, dict(body)))
        answer = self.goodbye_answers.pop(0) if self.goodbye_answers else None
        if isinstance(answer, Exception):
            raise answer


def unavailable(retry_after: Optional[float] = None) -> VigilApiError:
    return VigilApiError("VIGIL_ERR_UNAVAILABLE", "log busy", status=503, retry_after_seconds=retry_after)


class HeartbeatTest(unittest.TestCase):
    def setUp(self) -> None:
        self.clock = FakeClock()
        self.api = FakeApi(self.clock)
        self.port = HeartbeatPort(heartbeat=self.api.heartbeat, goodbye=self.api.goodbye, wall_clock=self.clock.wall, monotonic=self.clock.monotonic, random=lambda: 0.5)
        self.mesh = Mesh(self.port)

    def session(self, **options: Any):
        options.setdefault("interval_seconds", 5)
        return self.mesh.start_heartbeat(agent_id="agent-1", start=False, **options)

    def test_beat_carries_identity_seq_and_process_details(self) -> None:
        s = self.session(instance_id="inst-1", labels={"team": "a"}, version="1.2")
        self.assertIsNone(s.beat_once())
        beat = self.api.beats[0]
        self.assertEqual(beat["agentId"], "agent-1")
        self.assertEqual(beat["instanceId"], "inst-1")
        self.assertEqual(beat["seq"], 0)
        self.assertEqual(beat["intervalSeconds"], 5.0)
        self.assertEqual(beat["sentAt"], "2026-01-01T00:00:00.000Z")
        self.assertEqual(beat["labels"], {"team": "a"})
        self.assertEqual(beat["version"], "1.2")
        self.assertIsInstance(beat["host"], str)
        self.assertIsInstance(beat["pid"], int)
        s.beat_once()
        self.assertEqual([b["seq"] for b in self.api.beats], [0, 1])

    def test_waits_the_rest_of_the_interval_measured_from_the_start_of_the_beat(self) -> None:
        s = self.session()
        started = self.clock.monotonic()
        s.beat_once()
        self.clock.sleep(0.75)
        self.assertAlmostEqual(s.next_delay(None, started), 4.25)

    def test_carries_metrics_once_and_the_latest_progress(self) -> None:
        s = self.session()
        s.report_metric(success=True, latency_ms=120, cost_usd=0.01)
        s.report_metric(success=False)
        s.progress(completed=5, in_flight=1)
        s.progress(completed=7, in_flight=2)
        s.beat_once()
        s.beat_once()
        self.assertEqual(self.api.beats[0]["metrics"], [{"success": True, "latencyMs": 120, "costUsd": 0.01}, {"success": False}])
        self.assertEqual(self.api.beats[0]["progress"], {"completed": 7, "inFlight": 2})
        self.assertNotIn("metrics", self.api.beats[1])
        self.assertEqual(self.api.beats[1]["progress"], {"completed": 7, "inFlight": 2})

    def test_sends_a_failed_beat_again_as_it_was_and_later_samples_after_it(self) -> None:
        s = self.session()
        s.report_metric(success=True, latency_ms=1)
        self.api.beat_answers.append(VigilApiError("VIGIL_ERR_TIMEOUT", "no answer", status=None))
        s.beat_once()
        self.assertEqual(s.stats.pending_metrics, 1)
        self.clock.sleep(3)
        s.report_metric(success=False, latency_ms=2)
        s.beat_once()
        self.assertEqual(self.api.beats[1], self.api.beats[0])  # same seq, same samples, same sentAt: a repeat
        s.beat_once()
        self.assertEqual(self.api.beats[2]["seq"], 1)
        self.assertEqual(self.api.beats[2]["metrics"], [{"success": False, "latencyMs": 2}])
        self.assertEqual(s.stats.beats_failed, 1)
        self.assertEqual(s.stats.pending_metrics, 0)

    def test_backs_off_exponentially_with_full_jitter_capped_at_the_interval(self) -> None:
        s = self.session(interval_seconds=5)
        delays = []
        for _ in range(6):
            self.api.beat_answers.append(VigilApiError("VIGIL_ERR_NETWORK", "refused", status=None))
            delays.append(s.next_delay(s.beat_once(), self.clock.monotonic()))
        self.assertEqual(delays, [0.5, 1.0, 2.0, 2.5, 2.5, 2.5])
        s.beat_once()
        self.assertEqual(s.next_delay(None, self.clock.monotonic()), 5.0)  # success: back to the interval

    def test_full_jitter_spreads_a_fleet_over_the_whole_window(self) -> None:
        import random

        rng = random.Random(42)
        delays = [full_jitter_delay(4, 30.0, rng.random) for _ in range(10_000)]
        self.assertGreaterEqual(min(delays), 0.0)
        self.assertLess(max(delays), 8.0)
        buckets = [0] * 8
        for d in delays:
            buckets[int(d)] += 1
        for b in buckets:
            self.assertGreater(b, 1000)

    def test_retry_after_wins_and_is_clamped(self) -> None:
        s = self.session(interval_seconds=5)
        self.api.beat_answers.append(unavailable(60))
        self.assertEqual(s.next_delay(s.beat_once(), self.clock.monotonic()), 60)
        self.api.beat_answers.append(unavailable(0))
        self.assertEqual(s.next_delay(s.beat_once(), self.clock.monotonic()), 1.0)
        self.api.beat_answers.append(unavailable(86_400))
        self.assertEqual(s.next_delay(s.beat_once(), self.clock.monotonic()), 3600.0)

    def test_drops_samples_of_a_beat_refused_for_good_and_moves_on(self) -> None:
        s = self.session()
        s.report_metric(success=True)
        self.api.beat_answers.append(VigilApiError("VIGIL_ERR_VALIDATION", "bad", status=400, field="metrics"))
        s.beat_once()
        s.beat_once()
        self.assertEqual(s.stats.dropped_metrics, 1)
        self.assertEqual([b["seq"] for b in self.api.beats], [0, 1])

    def test_fires_on_killed_once_and_on_resumed_and_survives_a_raising_callback(self) -> None:
        seen = []

        def on_killed(info: Dict[str, Any]) -> None:
            seen.append(("killed", info))
            raise RuntimeError("agent bug")

        s = self.session(on_killed=on_killed, on_resumed=lambda info: seen.append(("resumed", info)))
        self.api.killed = True
        s.beat_once()
        s.beat_once()
        self.assertTrue(s.killed)
        self.api.killed = False
        s.beat_once()
        self.assertEqual(seen, [("killed", {"agent_id": "agent-1", "status": "killed"}), ("resumed", {"agent_id": "agent-1", "status": "healthy"})])
        self.assertEqual(s.stats.callback_errors, 1)

    def test_never_raises_for_invalid_input_or_calls_without_a_heartbeat(self) -> None:
        s = self.session()
        s.report_metric(success="yes")
        s.report_metric(success=True, latency_ms=-1)
        s.report_metric(success=True, cost_usd=float("nan"))
        s.progress(completed=-1)
        s.progress(completed=1.5, in_flight=0)
        self.assertEqual(s.stats.invalid_inputs, 5)
        self.assertEqual(s.stats.pending_metrics, 0)
        lonely = Mesh(self.port)
        lonely.report_metric(success=True)
        lonely.progress(completed=1)
        lonely.stop_heartbeat()
        self.assertEqual(lonely.ignored_calls, 2)

    def test_raises_for_bad_options_at_construction(self) -> None:
        for options in ({"agent_id": "has space"}, {"agent_id": "a/b"}, {"agent_id": "ok", "interval_seconds": 0}, {"agent_id": "ok", "on_killed": "nope"}, {"agent_id": "ok", "labels": {"k": 1}}):
            with self.subTest(options=options):
                with self.assertRaises(VigilUsageError) as caught:
                    self.mesh.start_heartbeat(start=False, **options)
                self.assertEqual(caught.exception.code, "VIGIL_ERR_INVALID_OPTIONS")
        self.session()
        with self.assertRaises(VigilUsageError):
            self.session()
        with self.assertRaises(VigilUsageError):
            VigilClient(api_key="", url="http://127.0.0.1:1")
        with self.assertRaises(VigilUsageError):
            VigilClient(api_key="k", url="ftp://x")

    def test_stop_flushes_samples_then_says_goodbye_once(self) -> None:
        s = self.session(instance_id="inst-9")
        s.start = lambda: s  # type: ignore[method-assign]  # no thread: the test drives the steps
        s._thread = threading.current_thread()  # noqa: SLF001 - "started", without a real thread
        s.beat_once()
        s.report_metric(success=True)
        s.stop(reason="deploy", sleep=self.clock.sleep)
        s.stop(reason="again", sleep=self.clock.sleep)
        self.assertEqual(len(self.api.beats), 2)
        self.assertEqual(self.api.beats[1]["metrics"], [{"success": True}])
        self.assertEqual(self.api.goodbyes, [("agent-1", {"instanceId": "inst-9", "reason": "deploy"})])
        s.report_metric(success=True)
        self.assertEqual(s.stats.pending_metrics, 0)

    def test_stop_retries_the_goodbye_with_backoff_within_its_time_and_not_after_a_4xx(self) -> None:
        s = self.session()
        s._thread = threading.current_thread()  # noqa: SLF001
        s.beat_once()
        self.api.goodbye_answers.extend([unavailable(), unavailable(), None])
        s.stop(sleep=self.clock.sleep)
        self.assertEqual(len(self.api.goodbyes), 3)

        t = self.mesh.start_heartbeat(agent_id="agent-2", interval_seconds=5, start=False)
        t._thread = threading.current_thread()  # noqa: SLF001
        self.api.goodbye_answers.extend([unavailable()] * 100)
        started = self.clock.monotonic()
        t.stop(timeout_seconds=2.0, sleep=self.clock.sleep)
        self.assertLessEqual(self.clock.monotonic() - started, 2.0)
        self.assertGreater(len([g for g in self.api.goodbyes if g[0] == "agent-2"]), 1)

        u = self.mesh.start_heartbeat(agent_id="agent-3", interval_seconds=5, start=False)
        u._thread = threading.current_thread()  # noqa: SLF001
        self.api.goodbye_answers[:] = [VigilApiError("VIGIL_ERR_AGENT_NOT_FOUND", "gone", status=404)]
        u.stop(sleep=self.clock.sleep)
        self.assertEqual(len([g for g in self.api.goodbyes if g[0] == "agent-3"]), 1)

    def test_beats_on_a_daemon_thread_until_stopped(self) -> None:
        port = HeartbeatPort(heartbeat=self.api.heartbeat, goodbye=self.api.goodbye)
        s = Mesh(port).start_heartbeat(agent_id="threaded", interval_seconds=0.02)
        deadline = time.monotonic() + 10
        while len(self.api.beats) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertTrue(s._thread is not None and s._thread.daemon)  # noqa: SLF001
        s.stop()
        count = len(self.api.beats)
        time.sleep(0.1)
        self.assertGreaterEqual(count, 3)
        self.assertEqual(len(self.api.beats), count)
        self.assertFalse(s.running)
        self.assertEqual(self.api.goodbyes[-1][0], "threaded")


class TransportTest(unittest.TestCase):
    def client(self, answer: Any) -> Tuple[VigilClient, List[Tuple[str, str, Dict[str, str], Optional[bytes]]]]:
        calls: List[Tuple[str, str, Dict[str, str], Optional[bytes]]] = []

        def requester(method: str, url: str, headers: Any, body: Optional[bytes], timeout: float):
            calls.append((method, url, dict(headers), body))
            if isinstance(answer, Exception):
                raise answer
            return answer

        return VigilClient(api_key="key-1", url="http://vigil.test:8080/", requester=requester, wall_clock=lambda: 1_000.0), calls

    def test_maps_an_error_body_to_its_code_status_field_and_retry_after(self) -> None:
        client, calls = self.client((503, {"retry-after": "7"}, b'{"error":{"code":"VIGIL_ERR_UNAVAILABLE","message":"log down","field":"x"}}'))
        with self.assertRaises(VigilApiError) as caught:
            client.kill("a 1", "runaway cost", by="ops")
        err = caught.exception
        self.assertEqual((err.code, err.status, err.field, err.retry_after_seconds, err.retriable), ("VIGIL_ERR_UNAVAILABLE", 503, "x", 7.0, True))
        method, url, headers, body = calls[0]
        self.assertEqual((method, url), ("POST", "http://vigil.test:8080/v1/agents/a%201/kill"))
        self.assertEqual(headers["authorization"], "Bearer key-1")
        self.assertEqual(json.loads(body or b""), {"reason": "runaway cost", "by": "ops"})

    def test_an_error_without_vigil_body_and_no_answer_at_all(self) -> None:
        client, _ = self.client((502, {}, b"<html>bad gateway</html>"))
        with self.assertRaises(VigilApiError) as caught:
            client.summary()
        self.assertEqual((caught.exception.code, caught.exception.retriable), ("VIGIL_ERR_HTTP", True))
        client, _ = self.client(ConnectionRefusedError("refused"))
        with self.assertRaises(VigilApiError) as caught:
            client.get_agent("a")
        self.assertEqual((caught.exception.code, caught.exception.status, caught.exception.retriable), ("VIGIL_ERR_NETWORK", None, True))
        client, _ = self.client(TimeoutError("slow"))
        with self.assertRaises(VigilApiError) as caught:
            client.get_agent("a")
        self.assertEqual(caught.exception.code, "VIGIL_ERR_TIMEOUT")
        client, _ = self.client((404, {}, b'{"error":{"code":"VIGIL_ERR_AGENT_NOT_FOUND","message":"no such agent"}}'))
        with self.assertRaises(VigilApiError) as caught:
            client.get_agent("a")
        self.assertEqual((caught.exception.status, caught.exception.retriable), (404, False))

    def test_lists_agents_page_by_page_with_the_filter(self) -> None:
        pages = [
            (200, {}, b'{"items":[{"agentId":"a"}],"nextCursor":"c1"}'),
            (200, {}, b'{"items":[{"agentId":"b"}],"nextCursor":null}'),
        ]
        urls: List[str] = []

        def requester(method: str, url: str, headers: Any, body: Optional[bytes], timeout: float):
            urls.append(url)
            return pages.pop(0)

        client = VigilClient(api_key="k", url="http://vigil.test", requester=requester)
        agents = list(client.list_agents(status="healthy", deliverable=True, labels={"team": "search"}, limit=1))
        self.assertEqual([a["agentId"] for a in agents], ["a", "b"])
        self.assertEqual(urls[0], "http://vigil.test/v1/agents?status=healthy&deliverable=true&label=team%3Asearch&limit=1")
        self.assertTrue(urls[1].endswith("&cursor=c1"))


if __name__ == "__main__":
    unittest.main()
