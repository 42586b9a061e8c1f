"""Keeps the collector's full passes short in a whole-suite run (a pytest plugin).

A whole run holds about two million live objects by its end: imported libraries (pyspark,
SQLAlchemy, FastAPI, sqlglot...), session fixtures and caches. Python's full collection
walks every one of them, and the web tests make enough short-lived cyclic garbage to
trigger hundreds of such passes: the web pages' tests took about three times as long in a
whole run as alone. At the start of each test module (an autouse module fixture, set up
before the module's own), after a collection, everything still alive is frozen
(`gc.freeze`): later passes skip it. The module's own objects, made after, are collected
as usual. On the 2-core test machine the whole suite took 31:57 with it and
37:10 in the run before, of which about 2.5 minutes went to two other changes made between
(the cluster test's shuffle partitions, no `gc.collect()` per result in two tests); the
collector's passes took 100 s in all.
"""

from __future__ import annotations

import gc

import pytest


@pytest.fixture(autouse=True, scope="module")
def frozen_heap() -> None:
    """Before a module's own fixtures: collect, then freeze what is still alive."""
    gc.collect()
    gc.freeze()
