"""Measuring a step in a child process: its JSON result and the peak memory of its process tree.

Each benchmark step runs in a process of its own, so that its peak resident memory is its
own (a JVM child included): `run_measured` starts the command, samples the tree's RSS
while it runs and returns the JSON of the child's last output line with the peak in MB
(the larger of the sampled tree and the child's own `ru_maxrss`).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
from typing import Any

MB = 1024 * 1024


class TreeRss:
    """Samples the resident memory of a process and its descendants every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.peak, self.interval, self._stop = pid, 0, interval, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.wait(self.interval):
            try:
                total = 0
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                return

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_measured(
    cmd: list[str], label: str, *, env: dict[str, str] | None = None, interval: float = 0.25
) -> tuple[dict[str, Any], float]:
    """Run `cmd`; the JSON of its last output line and its peak RSS in MB (exit ≠ 0: stop)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    sampler = TreeRss(proc.pid, interval)
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    tree_peak = sampler.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label} failed: {stdout[-2000:]}")
    return json.loads(stdout.strip().splitlines()[-1]), max(usage.ru_maxrss * 1024, tree_peak) / MB
