"""Shared generated data sets (generated once per test session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjianguan.synth import SynthSummary, generate


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    out = tmp_path_factory.mktemp("tiny") / "region"
    return out, generate(out, "tiny", 2, 11)


@pytest.fixture(scope="session")
def tiny_one_month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny1") / "region"
    generate(out, "tiny", 1, 5, start="2024-12")
    return out
