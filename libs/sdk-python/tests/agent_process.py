"""A tiny real agent, run as its own process by the end-to-end tests (never imported by them).

It does what an agent author would: one start_heartbeat call with a 1 s interval, pretend work reported as metrics and
progress, on_killed/on_resumed callbacks, and on SIGTERM a graceful stop_heartbeat() before exiting 0. It prints one
JSON line per event on stdout. Configured by environment: VIGIL_URL, VIGIL_API_KEY, AGENT_ID.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

from vigil_sdk import VigilClient

url, api_key, agent_id = os.environ["VIGIL_URL"], os.environ["VIGIL_API_KEY"], os.environ["AGENT_ID"]
done = threading.Event()


def say(event: str, **fields: object) -> None:
    sys.stdout.write(json.dumps({"event": event, "agentId": agent_id, "pid": os.getpid(), **fields}) + "\n")
    sys.stdout.flush()


client = VigilClient(api_key=api_key, url=url)
session = client.mesh.start_heartbeat(
    agent_id=agent_id,
    interval_seconds=1,
    labels={"suite": "python-e2e"},
    on_killed=lambda info: say("killed", status=info["status"]),
    on_resumed=lambda info: say("resumed", status=info["status"]),
)
signal.signal(signal.SIGTERM, lambda *_: done.set())

completed = 0
while not done.is_set():
    completed += 1
    client.mesh.report_metric(success=True, latency_ms=20, cost_usd=0.001)
    client.mesh.progress(completed=completed, in_flight=0)
    if session.stats.beats_accepted > 0 and completed % 4 == 1:
        say("beat", accepted=session.stats.beats_accepted)
    done.wait(0.25)

client.mesh.stop_heartbeat(reason="python e2e: graceful shutdown")
say("stopped")
