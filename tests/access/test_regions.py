"""Region codes: levels, parents, containment."""

from __future__ import annotations

import pytest

from sanjianguan.access.regions import RegionCode
from sanjianguan.errors import InvalidInputError
from sanjianguan.workflow_db.models import RegionLevel


def test_county_city_province_chain() -> None:
    chain = RegionCode.parse("511502").chain()
    assert [r.code for r in chain] == ["510000", "511500", "511502"]
    assert [r.level for r in chain] == [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]


def test_municipality_district() -> None:
    assert [r.code for r in RegionCode.parse("110105").chain()] == ["110000", "110100", "110105"]


def test_containment() -> None:
    city, county, other = (RegionCode.parse(c) for c in ("511500", "511502", "510104"))
    assert city.contains(county)
    assert not city.contains(other)
    assert RegionCode.parse("510000").contains(other)


@pytest.mark.parametrize("bad", ["51150", "5115021", "ABCDEF", "011502", "510012", ""])
def test_invalid_codes_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        RegionCode.parse(bad)
    assert info.value.message_en.startswith("invalid region code")
