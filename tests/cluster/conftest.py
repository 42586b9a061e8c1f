"""The loopback Spark standalone cluster of the cluster test (one per module, always stopped)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster.standalone import ClusterError, StandaloneCluster
from tests.services import java_missing, unavailable


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandaloneCluster]:
    """A started master with two ALIVE workers; Java missing skips, or fails under CI=true."""
    if (why := java_missing()) is not None:
        unavailable("Spark", why)
    standalone = StandaloneCluster(tmp_path_factory.mktemp("cluster"))
    try:
        try:
            standalone.start()
        except ClusterError as exc:
            pytest.fail(f"Spark 集群未能启动 / the cluster did not start: {exc}\n{standalone.log_tail()}")
        yield standalone
    finally:
        standalone.stop()
