"""Where Spark runs (`--spark-master`, `[spark] master`): a master that cannot be reached is one line.

No JVM is started here: the master's address is checked before Spark is, so these tests
need neither Java nor pyspark and take well under a second (a closed loopback port
refuses at once; `connect_timeout_s` bounds a silent one).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sanjianguan.engines.spark import SparkUnavailableError, check_master, local_cores, master_addresses
from tests.cli.sjg_main import run_sjg


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("master", "addresses"),
    [
        ("local[2]", []),
        ("local", []),
        ("yarn", []),
        ("spark://10.0.0.5:7077", [("10.0.0.5", 7077)]),
        ("spark://m1:7077,m2:7078", [("m1", 7077), ("m2", 7078)]),
        ("spark://m1", [("m1", 7077)]),
        ("k8s://https://api.example:6443", [("api.example", 6443)]),
    ],
)
def test_master_addresses(master: str, addresses: list[tuple[str, int]]) -> None:
    assert master_addresses(master) == addresses


@pytest.mark.parametrize(
    ("master", "cores"),
    [("local", 1), ("local[2]", 2), ("local[8,3]", 8), ("spark://m1:7077", None), ("yarn", None)],
)
def test_local_cores_size_the_shuffle(master: str, cores: int | None) -> None:
    """One machine gets two shuffle partitions per core; a cluster keeps its own settings."""
    assert local_cores(master) == cores


def test_local_star_counts_this_machines_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert local_cores("local[*]") == 6


@pytest.mark.parametrize("master", ["spark://", "spark://host:port", "mesos-ish", "spark://h:70770"])
def test_a_master_spark_does_not_know_is_named(master: str) -> None:
    with pytest.raises(SparkUnavailableError, match="Spark master"):
        master_addresses(master)


def test_a_closed_port_is_one_clear_line() -> None:
    master = f"spark://127.0.0.1:{closed_port()}"
    with pytest.raises(SparkUnavailableError) as raised:
        check_master(master, timeout=2)
    message = str(raised.value)
    assert message.startswith(f"无法连接 Spark 集群 {master}")
    assert "检查 master 地址与端口" in message
    assert "\n" not in message


def test_analyze_refuses_an_unreachable_cluster(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    master = f"spark://127.0.0.1:{closed_port()}"
    args = ["--home", str(home), "analyze", "--period", "2025-03", "--engine", "spark"]
    code, output = run_sjg(monkeypatch, capsys, *args, "--spark-master", master)
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(f"错误 / error: 无法连接 Spark 集群 {master}")
    assert "Traceback" not in output
    assert not (home / "parquet").exists(), "the store is not exported for a cluster that is not there"


@pytest.mark.parametrize("where", ["file", "env"])
def test_the_master_comes_from_the_settings(
    where: str, home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    master = f"spark://127.0.0.1:{closed_port()}"
    if where == "file":
        home.mkdir(parents=True)
        (home / "sjg.toml").write_text(f'[spark]\nmaster = "{master}"\nconnect_timeout_s = 2\n', "utf-8")
    else:
        monkeypatch.setenv("SJG__SPARK__MASTER", master)
        monkeypatch.setenv("SJG__SPARK__CONNECT_TIMEOUT_S", "2")
    args = ["--home", str(home), "analyze", "--period", "2025-03", "--engine", "spark"]
    code, output = run_sjg(monkeypatch, capsys, *args)
    assert code == 2
    assert f"无法连接 Spark 集群 {master}（127.0.0.1:" in output
    assert "连接超时 2 秒）：请检查 master 地址与端口" in output
