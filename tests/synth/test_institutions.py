"""`sjg synth --institutions N`: any size from tiny to city, with the presets' proportions."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sanjianguan.errors import ConfigError
from sanjianguan.synth import generate
from sanjianguan.synth.region import SCALES, TIERS, build_region, preset_size, region_tiers, sized


def test_presets_keep_their_sizes() -> None:
    assert [preset_size(n) for n in ("tiny", "county", "city")] == [9, 44, 892]
    for name in SCALES:
        assert sized(preset_size(name)) is SCALES[name]


@pytest.mark.parametrize("n", [10, 12, 30, 45, 100, 333, 891])
def test_n_institutions(n: int) -> None:
    region = build_region(sized(n), 1)
    assert len(region.institutions) == n
    assert len({i.institution_id for i in region.institutions}) == n
    for county in region.tier_insts:
        # Every county has a hospital, a health centre and a clinic or village clinic of its own.
        assert all(county[t] for t in ("l2", "l1", "l0"))
    assert region.tier_insts[0]["l3"]


@pytest.mark.parametrize("n", [60, 200, 500])
def test_proportions_lie_between_county_and_city(n: int) -> None:
    county, city = SCALES["county"], SCALES["city"]
    tiers = region_tiers(sized(n))
    for tier in TIERS:
        shares = (region_tiers(county)[tier] / preset_size("county"), region_tiers(city)[tier] / 892)
        share = tiers[tier] / n
        assert min(shares) - 1 / n <= share <= max(shares) + 1 / n, tier


def test_size_grows_with_institutions() -> None:
    sizes = [sized(n) for n in (9, 20, 44, 100, 400, 892)]
    assert [s.population for s in sizes] == sorted(s.population for s in sizes)
    assert len({s.population for s in sizes}) == len(sizes)


@pytest.mark.parametrize("n", [0, 8, 893])
def test_out_of_range_is_refused(n: int) -> None:
    with pytest.raises(ConfigError, match="--institutions"):
        sized(n)


def test_generate_writes_n_institutions(tmp_path: Path) -> None:
    summary = generate(tmp_path / "r", "tiny", 1, 4, institutions=11)
    assert summary.institutions == 11
    assert summary.scale == "n11"
    assert pq.read_table(tmp_path / "r/batches/2025-01/institutions.parquet").num_rows == 11


def _cli(*args: str) -> object:
    from sanjianguan.cli import _register
    from sanjianguan.cli.app import app

    _register()
    return CliRunner().invoke(app, ["synth", *args])


def test_cli_refuses_scale_and_institutions_together(tmp_path: Path) -> None:
    result = _cli(str(tmp_path / "x"), "--scale", "tiny", "--institutions", "12")
    assert isinstance(getattr(result, "exception", None), ConfigError)
    assert "--institutions" in str(getattr(result, "exception", ""))


def test_cli_institutions_and_hit_rate(tmp_path: Path) -> None:
    result = _cli(str(tmp_path / "r"), "--institutions", "10", "--months", "1", "--hit-rate", "0.05")
    assert getattr(result, "exit_code", None) == 0, getattr(result, "output", "")
    assert "10 institutions" in getattr(result, "output", "")
    assert "at a hit rate of 0.05" in (tmp_path / "r/README.txt").read_text(encoding="utf-8")
