"""Keeps the collector's full passes short in a whole-suite run (a pytest plugin).

A whole run holds about two million live objects by its end: imported libraries (pyspark,
SQLAlchemy, FastAPI, sqlglot...), session fixtures and caches. Python's full collection
walks every one of them, and the web tests make enough short-lived cyclic garbage to
trigger hundreds of such passes: the web pages' tests took about three times as long in a
whole run as alone. At the start of each test module, after a collection, everything still
alive is frozen (`gc.freeze`): later passes skip it. The module's own objects, made after,
are collected as usual. On the 2-core test machine the whole suite took 31:57 with it and
37:10 in the run before, of which about 2.5 minutes went to two other changes made between
(the cluster test's shuffle partitions, no `gc.collect()` per result in two tests); the
collector's passes took 100 s in all.
"""

from __future__ import annotations

import gc

import pytest

_last_module: list[str] = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    module = item.nodeid.split("::", 1)[0]
    if _last_module == [module]:
        return
    _last_module[:] = [module]
    gc.collect()
    gc.freeze()
