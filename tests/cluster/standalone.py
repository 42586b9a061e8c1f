"""A Spark standalone cluster on loopback for tests: one master, two workers (集群测试).

Started with pyspark's own `bin/spark-class` (the same jars as the driver, so no Spark
download): `org.apache.spark.deploy.master.Master` and two
`org.apache.spark.deploy.worker.Worker`s, on free loopback ports with
SPARK_LOCAL_IP=127.0.0.1, one core and a small memory each, logs in the test's temp
folder. `start` returns once the master's JSON (`http://127.0.0.1:<webui>/json`) lists
both workers ALIVE; `stop` ends the three processes (and so their executors) whatever
happened. A cluster that does not come up is a failure naming its logs, never a skip.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

WORKERS = 2
WORKER_CORES = 1
WORKER_MEMORY = "1g"
DAEMON_MEMORY = "256m"  # the master's and the workers' own JVMs (SPARK_DAEMON_MEMORY)
START_SECONDS = 120


class ClusterError(RuntimeError):
    """The cluster did not come up (or did not stop)."""


def free_port() -> int:
    """A loopback port free at the time of asking."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spark_home() -> Path:
    """pyspark's install folder: it carries `bin/spark-class` and the jars."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


@dataclass
class StandaloneCluster:
    """A master and its workers on 127.0.0.1; `url` is what `--spark-master` takes."""

    root: Path
    port: int = field(default_factory=free_port)
    webui_port: int = field(default_factory=free_port)
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    @property
    def json_url(self) -> str:
        return f"http://127.0.0.1:{self.webui_port}/json"

    def _env(self) -> dict[str, str]:
        home = spark_home()
        return {
            **os.environ,
            "SPARK_HOME": str(home),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_DAEMON_MEMORY": DAEMON_MEMORY,
            "SPARK_LOG_DIR": str(self.root / "logs"),
            "SPARK_WORKER_DIR": str(self.root / "work"),
            "SPARK_NO_DAEMONIZE": "1",
        }

    def _spawn(self, name: str, *args: str) -> None:
        logs = self.root / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with (logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [str(spark_home() / "bin" / "spark-class"), *args],
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stopped as one, executors included
            )
        self.processes.append((name, process))

    def start(self) -> StandaloneCluster:
        """Start the master and the workers; return once every worker is registered ALIVE."""
        master = "org.apache.spark.deploy.master.Master"
        self._spawn("master", master, "--host", "127.0.0.1", "--port", str(self.port),
                    "--webui-port", str(self.webui_port))  # fmt: skip
        for n in range(1, WORKERS + 1):
            work = self.root / "work" / f"worker-{n}"
            work.mkdir(parents=True, exist_ok=True)
            self._spawn(
                f"worker-{n}",
                "org.apache.spark.deploy.worker.Worker",
                "--host", "127.0.0.1", "--webui-port", str(free_port()),
                "--cores", str(WORKER_CORES), "--memory", WORKER_MEMORY,
                "--work-dir", str(work), self.url,
            )  # fmt: skip
        self._wait_for_workers()
        return self

    def alive_workers(self) -> int:
        """Workers the master lists as ALIVE (0 while its web UI is not up yet)."""
        try:
            with urllib.request.urlopen(self.json_url, timeout=2) as answer:
                state = json.load(answer)
        except (OSError, ValueError):
            return 0
        return sum(1 for worker in state.get("workers", []) if worker.get("state") == "ALIVE")

    def _wait_for_workers(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            dead = [name for name, p in self.processes if p.poll() is not None]
            if dead:
                raise ClusterError(f"{', '.join(dead)} exited early; see {self.root / 'logs'}")
            if self.alive_workers() >= WORKERS:
                return
            time.sleep(0.5)
        raise ClusterError(
            f"{WORKERS} workers not registered with {self.url} within {START_SECONDS} s; "
            f"see {self.root / 'logs'}"
        )

    def stop(self) -> None:
        """Stop every process (workers first), SIGKILL what does not end in time."""
        for _, process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)
        self.processes.clear()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of every log, for a failure message."""
        parts = []
        for path in sorted((self.root / "logs").glob("*.log")):
            tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            parts.append(f"== {path.name}\n" + "\n".join(tail))
        return "\n".join(parts)
