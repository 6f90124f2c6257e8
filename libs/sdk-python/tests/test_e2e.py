"""End-to-end: real python3 agent processes using vigil_sdk against a real `vigil up` (python3 -m unittest).

One agent is SIGKILLed (unreachable), one SIGSTOPped past degraded-after and SIGCONTed (degraded, then healthy), one
killed by an operator (its on_killed fires), one stopped with stop_heartbeat() (stopped). Watched through the HTTP
API until the transitions arrive. Needs `node` and the repository's `npm ci`; thresholds are demo-short (2 s / 5 s).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from vigil_sdk import VigilClient

HERE = Path(__file__).resolve().parent
SDK_ROOT = HERE.parent
REPO_ROOT = SDK_ROOT.parent.parent
VIGIL_BIN = REPO_ROOT / "libs" / "cli" / "bin" / "vigil.js"
API_KEY = "python-e2e-key"
STARTUP_SECONDS = 120.0  # tsx compiles the sources on a cold start, slowly on a loaded machine
SETTLE_SECONDS = 30.0


class Process:
    """A child process in its own process group, its stdout collected line by line."""

    def __init__(self, args: List[str], env: Dict[str, str], cwd: Path) -> None:
        self.popen = subprocess.Popen(args, cwd=str(cwd), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.lines: List[str] = []
        self.stderr: List[str] = []
        self._cond = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(self.popen.stdout, self.lines), daemon=True),
            threading.Thread(target=self._read, args=(self.popen.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: Any, into: List[str]) -> None:
        for line in stream:
            with self._cond:
                into.append(line.rstrip("\n"))
                self._cond.notify_all()

    def wait_for_line(self, pattern: str, timeout: float) -> "re.Match[str]":
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    match = regex.search(line)
                    if match:
                        return match
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.popen.poll() is not None and not self._cond.wait(0.2)):
                    raise AssertionError(f"pid {self.popen.pid} did not print {pattern!r}; stdout: {self.lines[-20:]}; stderr: {self.stderr[-20:]}")
                self._cond.wait(min(remaining, 0.5))

    def signal(self, sig: int) -> None:
        if self.popen.poll() is None:
            os.kill(self.popen.pid, sig)

    def destroy(self) -> None:
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait(timeout=10)
        for reader in self._readers:
            reader.join(timeout=5)  # the pipes end when the whole group is gone
        for stream in (self.popen.stdout, self.popen.stderr):
            if stream is not None:
                stream.close()


def wait_until(what: str, read: Callable[[], Any], accept: Callable[[Any], bool], timeout: float = SETTLE_SECONDS) -> Any:
    """Reads until `accept` holds; on timeout, names what was awaited and what was seen last."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = read()
            if accept(last):
                return last
        except Exception as err:  # noqa: BLE001 - a read may fail while a process starts or goes away
            last = err
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last seen: {last!r}")
        time.sleep(0.2)


def clean_env() -> Dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_") and k != "NODE_OPTIONS"}


@unittest.skipIf(shutil.which("node") is None, "node is not installed: the end-to-end tests run a real `vigil up`")
class PythonAgentsEndToEnd(unittest.TestCase):
    vigil: Process
    url: str
    data_dir: str
    operator: VigilClient

    @classmethod
    def setUpClass(cls) -> None:
        cls.data_dir = tempfile.mkdtemp(prefix="vigil-python-e2e-")
        args = ["node", str(VIGIL_BIN), "up", "--port", "0", "--data", cls.data_dir, "--api-key", API_KEY, "--degraded-after", "2s", "--unreachable-after", "5s", "--window", "500ms", "--log-level", "warn"]
        cls.vigil = Process(args, clean_env(), REPO_ROOT)
        try:
            cls.url = cls.vigil.wait_for_line(r"^Vigil is up at (http://\S+) ", STARTUP_SECONDS).group(1)
        except BaseException:
            cls.vigil.destroy()
            raise
        cls.operator = VigilClient(api_key=API_KEY, url=cls.url)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.vigil.destroy()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def setUp(self) -> None:
        self.agents: List[Process] = []

    def tearDown(self) -> None:
        for agent in self.agents:
            agent.destroy()

    def start_agent(self, agent_id: str) -> Process:
        env = {**clean_env(), "PYTHONPATH": str(SDK_ROOT / "src"), "VIGIL_URL": self.url, "VIGIL_API_KEY": API_KEY, "AGENT_ID": agent_id, "PYTHONUNBUFFERED": "1"}
        agent = Process([sys.executable, str(HERE / "agent_process.py")], env, SDK_ROOT)
        self.agents.append(agent)
        agent.wait_for_line(r'"event": "beat"', SETTLE_SECONDS)
        wait_until(f"{agent_id} healthy", lambda: self.status(agent_id), lambda s: s == "healthy")
        return agent

    def status(self, agent_id: str) -> Optional[str]:
        return self.operator.get_agent(agent_id)["status"]

    def steps(self, agent_id: str) -> List[str]:
        request = urllib.request.Request(f"{self.url}/v1/agents/{agent_id}/transitions?limit=100", headers={"authorization": f"Bearer {API_KEY}"})
        with urllib.request.urlopen(request, timeout=15) as response:
            items = json.loads(response.read())["items"]
        return [f"{t['from']}->{t['to']}" for t in reversed(items)]

    def test_a_sigkilled_agent_turns_degraded_then_unreachable(self) -> None:
        agent = self.start_agent("py-crashing")
        agent.signal(signal.SIGKILL)
        agent.popen.wait(timeout=10)
        wait_until("py-crashing unreachable", lambda: self.status("py-crashing"), lambda s: s == "unreachable")
        self.assertEqual(self.steps("py-crashing"), ["unknown->healthy", "healthy->degraded", "degraded->unreachable"])
        agent_view = self.operator.get_agent("py-crashing")
        self.assertFalse(agent_view["deliverable"])
        self.assertEqual(agent_view["labels"], {"suite": "python-e2e"})

    def test_a_frozen_agent_turns_degraded_and_healthy_again_when_thawed(self) -> None:
        agent = self.start_agent("py-frozen")
        agent.signal(signal.SIGSTOP)
        try:
            wait_until("py-frozen degraded", lambda: self.status("py-frozen"), lambda s: s == "degraded")
        finally:
            agent.signal(signal.SIGCONT)
        wait_until("py-frozen healthy again", lambda: self.status("py-frozen"), lambda s: s == "healthy")
        self.assertEqual(self.steps("py-frozen"), ["unknown->healthy", "healthy->degraded", "degraded->healthy"])

    def test_an_agent_killed_by_an_operator_hears_it_through_on_killed(self) -> None:
        agent = self.start_agent("py-rogue")
        self.operator.kill("py-rogue", "python e2e: spending too much", by="e2e-operator")
        agent.wait_for_line(r'"event": "killed"', SETTLE_SECONDS)
        wait_until("py-rogue killed", lambda: self.status("py-rogue"), lambda s: s == "killed")
        self.assertEqual(self.operator.get_agent("py-rogue")["killed"]["by"], "e2e-operator")
        self.assertIn("py-rogue", [a["agentId"] for a in self.operator.list_agents(status="killed")])
        self.operator.resume("py-rogue", "python e2e: fixed")
        agent.wait_for_line(r'"event": "resumed"', SETTLE_SECONDS)
        wait_until("py-rogue healthy after resume", lambda: self.status("py-rogue"), lambda s: s == "healthy")

    def test_stop_heartbeat_ends_stopped_never_degraded(self) -> None:
        agent = self.start_agent("py-graceful")
        agent.signal(signal.SIGTERM)
        agent.wait_for_line(r'"event": "stopped"', SETTLE_SECONDS)
        self.assertEqual(agent.popen.wait(timeout=15), 0)
        wait_until("py-graceful stopped", lambda: self.status("py-graceful"), lambda s: s == "stopped")
        time.sleep(3)  # longer than degraded-after: a wrongful stopped -> degraded would show by now
        self.assertEqual(self.status("py-graceful"), "stopped")
        self.assertEqual(self.steps("py-graceful"), ["unknown->healthy", "healthy->stopped"])
        self.assertGreaterEqual(self.operator.summary()["stopped"], 1)


if __name__ == "__main__":
    unittest.main()
