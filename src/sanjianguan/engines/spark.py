"""The distributed engine: the same compiled rules on Spark, over the store's Parquet layout.

The store is exported with `sanjianguan.analytic_store.parquet.export_parquet`; this engine
registers every store table and reference view as a temporary view read from that
layout with the schema of the store DDL (so empty tables and partition columns read
the same as in DuckDB). pyspark is imported only here, and only when used.
"""

from __future__ import annotations

import itertools
import os
import socket
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from sanjianguan.analytic_store.parquet import layout_tables
from sanjianguan.contract.schema import REF_TABLES
from sanjianguan.engines.base import TIME_ZONE, Engine, Rows, ViewDeclaration, in_threads
from sanjianguan.errors import SjgError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[2]"
DEFAULT_CONNECT_TIMEOUT = 10.0
# Queries of one run in flight at once (`run_all`): each spends seconds on planning and
# job scheduling in the driver while the executors idle, so a few overlap that wait.
DEFAULT_CONCURRENCY = 4
STANDALONE_PORT = 7077  # a `spark://host` master without a port listens here


class SparkUnavailableError(SjgError):
    """The Spark master cannot be reached, or Spark does not start (集群不可达).

    One line, Chinese first, naming the master and what to check: the person running
    `sjg analyze` must not have to read a Java stack trace to learn that a port is wrong.
    """


# Store (DuckDB) types → Spark SQL types. Naive timestamps stay naive (TIMESTAMP_NTZ):
# a zone-aware TIMESTAMP would shift charge days by the session offset.
SPARK_TYPES = {
    "VARCHAR": "STRING",
    "INTEGER": "INT",
    "BIGINT": "BIGINT",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP_NTZ",
    "BOOLEAN": "BOOLEAN",
}

SESSION_CONF = {
    "spark.sql.session.timeZone": TIME_ZONE,
    # `period=2025-03` must stay a string, never be guessed as a date.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.ansi.enabled": "true",
}
# Settings of the SparkContext, fixed when it starts (a shared session keeps its own).
STARTUP_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # The queries `run_all` runs at once share the executors fairly (each thread its own
    # pool): under FIFO a long query's tasks would hold every core until it is done.
    "spark.scheduler.mode": "FAIR",
}
T = TypeVar("T")


# The views created on each session, in creation order, with the cached frame of those
# that are cached (None: a plain view). Temporary views belong to the session, not to an
# engine: the tests run many engines on one session, and a cache left behind by one would
# stay in executor memory and be matched against every later plan.
_SESSION_VIEWS: weakref.WeakKeyDictionary[SparkSession, dict[str, DataFrame | None]] = (
    weakref.WeakKeyDictionary()
)


def spark_type(sql_type: str) -> str:
    """Spark type of a store column type (DECIMAL(p,s) is spelled alike)."""
    return sql_type if sql_type.startswith("DECIMAL") else SPARK_TYPES[sql_type]


def master_addresses(master: str) -> list[tuple[str, int]]:
    """The (host, port) pairs a master URL connects to; empty for `local[...]` and `yarn`.

    `spark://h1:7077,h2:7077` (standby masters) gives both; `k8s://https://host:6443` the API
    server. Any other form is not a master Spark knows, so it is refused here by name.
    """
    if master == "local" or master.startswith("local[") or master == "yarn":
        return []
    if master.startswith("spark://"):
        addresses = []
        for part in master.removeprefix("spark://").split(","):
            host, colon, port = part.strip().rpartition(":")
            if not colon:
                host, port = port, str(STANDALONE_PORT)
            addresses.append((host.strip("[]"), _port(master, port)))
        if all(host for host, _ in addresses):
            return addresses
    elif master.startswith("k8s://"):
        url = urlsplit(master.removeprefix("k8s://"))
        if url.hostname:
            default = 443 if url.scheme == "https" else 80
            return [(url.hostname, _port(master, str(url.port or default)))]
    raise SparkUnavailableError(
        f"Spark master 地址无法识别: {master!r}（应为 local[N]、spark://主机:端口、yarn 或 k8s://https://主机:端口）"
        f" / unknown Spark master {master!r}"
    )


def _port(master: str, text: str) -> int:
    if text.isdigit() and 0 < int(text) < 65536:
        return int(text)
    raise SparkUnavailableError(f"Spark master 端口无效: {master!r} / bad port in Spark master {master!r}")


def local_cores(master: str) -> int | None:
    """Cores of a `local`, `local[N]` or `local[*]` master (None: a cluster)."""
    if master == "local":
        return 1
    if master.startswith("local[") and master.endswith("]"):
        inside = master[len("local[") : -1].split(",")[0].strip()
        if inside == "*":
            return os.cpu_count() or 1
        if inside.isdigit() and int(inside) > 0:
            return int(inside)
    return None


def check_master(master: str, timeout: float = DEFAULT_CONNECT_TIMEOUT) -> None:
    """Raise SparkUnavailableError unless some address of `master` accepts a connection.

    Checked before the JVM starts: Spark itself would retry its registration for a minute
    and then fail a job with a stack trace, or wait for executors that never come.
    """
    addresses = master_addresses(master)
    problems = []
    for host, port in addresses:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return
        except OSError as exc:
            problems.append(f"{host}:{port} {exc.strerror or exc.__class__.__name__}")
    if addresses:
        raise SparkUnavailableError(
            f"无法连接 Spark 集群 {master}（{'; '.join(problems)}；连接超时 {timeout:g} 秒）："
            "请检查 master 地址与端口、master 是否在运行、防火墙是否放行本机 / "
            f"cannot reach the Spark master {master}: check its address and port, that it runs, "
            "and the firewall"
        )


def build_session(
    master: str = DEFAULT_MASTER,
    app_name: str = "sanjianguan",
    *,
    conf: Mapping[str, str] | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> SparkSession:
    """A SparkSession for `master` (`local[2]` or a cluster URL) with the platform's settings.

    `conf` (`[spark] conf`) comes after the platform's own settings, so a region may tune
    executors, memory and shuffle partitions; a cluster that does not answer, or a Spark
    that does not start (no Java), is a SparkUnavailableError of one line.
    """
    check_master(master, connect_timeout)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailableError(
            "未安装 pyspark（pip install 'sanjianguan[spark]'）/ pyspark is not installed"
        ) from None

    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in {**STARTUP_CONF, **SESSION_CONF}.items():
        builder = builder.config(key, value)
    cores = local_cores(master)
    if cores is not None:
        # One machine: two shuffle partitions per core keep both busy, where the default 200
        # makes hundreds of near-empty tasks per shuffle (each with its scheduling cost);
        # adaptive execution then merges the small ones. A cluster keeps Spark's defaults
        # (AQE) unless `[spark] conf` sets them (docs/scale.md).
        builder = builder.config("spark.sql.shuffle.partitions", str(2 * cores))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # Java missing, a bad setting: the first line says which
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
        raise SparkUnavailableError(
            f"Spark 无法启动（master {master}）：请检查 Java（java -version）与 [spark] 配置 / "
            f"Spark did not start: {first[:300]}"
        ) from None


class SparkEngine(Engine):
    """Runs compiled rules on Spark over `<parquet_dir>/<table>/...`."""

    name = "spark"
    dialect = "spark"

    def __init__(
        self,
        parquet_dir: str,
        *,
        session: SparkSession | None = None,
        master: str = DEFAULT_MASTER,
        conf: Mapping[str, str] | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ):
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1: {concurrency}")
        self.concurrency = concurrency
        self._owns_session = session is None
        self.session = session or build_session(master, conf=conf, connect_timeout=connect_timeout)
        for key, value in SESSION_CONF.items():
            self.session.conf.set(key, value)
        self.parquet_dir = parquet_dir.rstrip("/")
        self._views = _SESSION_VIEWS.setdefault(self.session, {})
        # New store tables: every view created before reads the old ones.
        self._drop_views_from(0)
        self._register_tables()

    def _register_tables(self) -> None:
        from pyspark.errors import AnalysisException

        for name, columns in layout_tables().items():
            schema = ", ".join(f"`{col}` {spark_type(typ)}" for col, typ in columns)
            try:
                frame = self.session.read.schema(schema).parquet(f"{self.parquet_dir}/{name}")
            except AnalysisException as exc:
                if name not in REF_TABLES or "PATH_NOT_FOUND" not in str(exc):
                    raise
                # A layout exported before this reference table joined the contract (e.g.
                # ref_tcm_advantage_diseases): read it as the empty table it was then, as
                # DuckDB reads an unloaded reference table, instead of failing the run.
                frame = self.session.createDataFrame([], schema)
            frame.createOrReplaceTempView(name)

    def _create_view(self, view: ViewDeclaration, sql: str) -> None:
        """A temporary view; a `materialised` one is also cached (built on its first read).

        Uncached, every query reading the fee-line aggregates recomputed them from the
        Parquet files: a join and an aggregation, with their stages and their share of the
        plan, once per rule. Cached (memory, spilled to disk when short), the first reading
        query builds them and the others scan the result. The view stays an SQL view that
        resolves the views it reads by name, as before, and a cache only serves the plan it
        was built for, so no result changes. Rebuilding a view drops it and the views
        created after it (which may read it), e.g. when the indicators' month range
        replaces the rules' `p_encounters`.
        """
        name = view.name
        if name in self._views:
            self._drop_views_from(list(self._views).index(name))
        self.session.sql(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS {sql}")
        frame = None
        if view.materialised:
            from pyspark import StorageLevel

            frame = self.session.table(name).persist(StorageLevel.MEMORY_AND_DISK)
        self._views[name] = frame

    def _drop_views_from(self, position: int) -> None:
        """Forget the views created from `position` on, releasing their caches (last first)."""
        names = list(self._views)[position:]
        for name in reversed(names):
            frame = self._views.pop(name)
            if frame is not None:
                frame.unpersist()

    @property
    def cached_views(self) -> list[str]:
        """The views of the session held cached now, in creation order."""
        return [name for name, frame in self._views.items() if frame is not None]

    def run_all(self, tasks: Sequence[Callable[[], T]]) -> Iterator[T]:
        """The results of `tasks` in their order, up to `concurrency` of them running at once.

        Each thread submits its queries in its own scheduler pool (`spark.scheduler.mode`
        FAIR), so a short query is not queued behind a long one. The views are all created
        before (the tasks only read them), so the threads change nothing they share. On a
        failure, or when the caller stops early, the tasks not started are dropped; the
        running ones finish (a Spark job is not interrupted halfway).
        """
        if self.concurrency == 1 or len(tasks) < 2:
            yield from super().run_all(tasks)
            return
        pools = itertools.count()
        yield from in_threads(
            tasks, self.concurrency, name="sjg-spark", initializer=lambda: self._own_pool(pools)
        )

    def _own_pool(self, numbers: Iterator[int]) -> None:
        """Put the jobs of the calling thread into a scheduler pool of its own (`sjg-0`, `sjg-1` …:
        the same few names every run, as Spark keeps a pool once it has seen it)."""
        self.session.sparkContext.setLocalProperty("spark.scheduler.pool", f"sjg-{next(numbers)}")

    def fetch(self, sql: str) -> tuple[list[str], Rows]:
        frame = self.session.sql(sql)
        rows = [tuple(_plain(v) for v in row) for row in frame.collect()]
        return list(frame.columns), rows

    def close(self) -> None:
        """Release the cached views (a shared session runs on), and stop an own session."""
        self._drop_views_from(0)
        if self._owns_session:
            self.session.stop()


def _plain(value: Any) -> Any:
    # Spark returns arrays as lists already; Row objects (structs) become dicts.
    if hasattr(value, "asDict"):
        return value.asDict(recursive=True)
    return value
