"""A real Redis of the test's own (never the shared one on 6379), started and stopped at will."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from tempfile import gettempdir


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.pidfile = Path(gettempdir()) / f"kam-test-redis-{self.port}.pid"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
                "--pidfile",
                str(self.pidfile),
            ],
            check=True,
            capture_output=True,
        )
        for _ in range(100):
            if self._answers():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, check=False
        )
        for _ in range(100):
            if not self._answers():
                return
            time.sleep(0.05)

    def _answers(self) -> bool:
        done = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
        return done.stdout.strip() == "PONG"
