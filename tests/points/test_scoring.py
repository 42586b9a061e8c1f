"""One test per point rule: bands, yearly reset, 12 at once, emergency, institutions' bands."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sanjianguan.calendar.days import Due, shipped
from sanjianguan.errors import ConfigError, InvalidInputError
from sanjianguan.points import deadlines as dl
from sanjianguan.points.config import load_points_config
from sanjianguan.points.scoring import (
    Scored,
    band_of,
    institution_points,
    institution_standing,
    staff_points,
    staff_standing,
)

CONFIG = load_points_config()


def s(points: int, day: str, rid: int = 0) -> Scored:
    return Scored(points, date.fromisoformat(day), rid)


@pytest.mark.parametrize(
    ("item", "responsibility", "expected"),
    [
        ("S101", "一般", (1, 1)),
        ("S101", "主要", (1, 3)),
        ("S201", "重要", (2, 5)),
        ("S301", "一般", (3, 7)),
        ("S401", "主要", (4, 12)),
    ],
)
def test_staff_event_scores_by_level_and_responsibility(
    item: str, responsibility: str, expected: tuple[int, int]
) -> None:
    assert staff_points(CONFIG, item, responsibility) == expected


def test_unknown_item_or_responsibility_is_a_bilingual_error() -> None:
    with pytest.raises(InvalidInputError, match="S999"):
        staff_points(CONFIG, "S999", "一般")
    with pytest.raises(InvalidInputError, match="responsibility"):
        staff_points(CONFIG, "S101", "次要")


def test_staff_8_points_is_normal_9_suspends() -> None:
    eight = [s(4, "2026-02-01", 1), s(4, "2026-03-01", 2)]
    assert staff_standing(CONFIG, eight, 2026).status == "normal"
    nine = [*eight, s(1, "2026-05-06", 3)]
    st = staff_standing(CONFIG, nine, 2026)
    assert (st.total, st.status, st.suspended_on, st.suspend_months) == (
        9,
        "suspended",
        date(2026, 5, 6),
        (1, 6),
    )


def test_staff_11_points_suspended_12_terminates_bar_one_year() -> None:
    eleven = [s(5, "2026-01-10", 1), s(6, "2026-02-10", 2)]
    assert staff_standing(CONFIG, eleven, 2026).status == "suspended"
    twelve = [*eleven, s(1, "2026-06-30", 3)]
    st = staff_standing(CONFIG, twelve, 2026)
    assert (st.status, st.terminated_on, st.at_once) == ("terminated", date(2026, 6, 30), False)
    assert st.barred_until == date(2027, 6, 30)  # 1 year after termination


def test_staff_12_at_once_bars_three_years() -> None:
    st = staff_standing(CONFIG, [s(12, "2026-04-01")], 2026)
    assert (st.status, st.at_once, st.barred_until) == ("terminated", True, date(2029, 4, 1))


def test_staff_yearly_reset_but_the_bar_stays() -> None:
    records = [s(8, "2025-11-01", 1), s(4, "2026-01-05", 2)]
    # 8 in 2025 + 4 in 2026: each year on its own, never 12.
    assert staff_standing(CONFIG, records, 2025).total == 8
    assert staff_standing(CONFIG, records, 2026).total == 4
    terminated = [s(12, "2025-12-20", 1)]
    st = staff_standing(CONFIG, terminated, 2026)
    assert (st.total, st.status, st.barred_until) == (0, "barred", date(2028, 12, 20))


def test_staff_accumulates_across_institutions() -> None:
    # Records come from two institutions: the standing takes every record of the doctor.
    from_h1 = [s(5, "2026-03-01", 1)]
    from_h2 = [s(4, "2026-04-01", 2)]
    assert staff_standing(CONFIG, from_h1 + from_h2, 2026).status == "suspended"  # 5 + 4 = 9


def test_emergency_exempt_is_configured() -> None:
    assert CONFIG.staff.emergency_exempt  # the service records 0 points (tested in test_service)


def test_institution_points_1_2_4_6_10() -> None:
    assert [institution_points(CONFIG, f"I0{i}")[1] for i in range(1, 6)] == [1, 2, 4, 6, 10]


@pytest.mark.parametrize(
    ("total", "label"),
    [
        (1, "12分以下"),
        (11, "12分以下"),
        (12, "12-16分"),
        (15, "12-16分"),
        (16, "16-20分"),
        (20, "16-20分"),
        (21, "20分以上"),
    ],
)
def test_institution_bands_at_the_edges(total: int, label: str) -> None:
    band = band_of(CONFIG, total)
    assert band is not None
    assert band.label == label


def test_no_points_no_band_and_no_sanction() -> None:
    # "记分12分以下的，通报提醒，限期整改" sanctions points scored: 0 points is no band at all.
    assert band_of(CONFIG, 0) is None
    assert institution_standing(CONFIG, [], 2026).band is None


def test_institution_yearly_total_and_band() -> None:
    records = [s(10, "2026-01-01"), s(6, "2026-07-01"), s(10, "2025-12-31")]
    st = institution_standing(CONFIG, records, 2026)
    assert st.band is not None
    assert (st.total, st.band.label) == (16, "16-20分")


def test_deadlines_calendar_days_and_working_days_across_national_day() -> None:
    d = CONFIG.deadlines
    approved = date(2026, 9, 29)
    assert dl.notice_due(d, approved) == date(2026, 10, 2)  # 3 days, holidays included
    assert dl.report_due(d, approved) == date(2026, 10, 9)
    assert dl.appeal_due(d, date(2026, 9, 30)) == date(2026, 10, 3)
    # 10 working days after Tue 29 Sep 2026: 30 Sep, 8, 9, 10 (make-up Saturday), 12-16, 19 Oct.
    assert dl.appeal_decision_due(d, approved, shipped()) == Due(date(2026, 10, 19), provisional=False)
    assert dl.monthly_return_due(d, "2026-12") == date(2027, 1, 10)
    assert dl.disclosure_due(d, "2026-Q4") == date(2027, 1, 10)
    assert dl.disclosure_due(d, "2026-Q1") == date(2026, 4, 10)


def test_region_override_and_bad_override(tmp_path: Path) -> None:
    (tmp_path / "points.toml").write_text("[staff]\nsuspend_at = 6\n", encoding="utf-8")
    assert load_points_config(tmp_path).staff.suspend_at == 6
    (tmp_path / "points.toml").write_text(
        "[[institution.bands]]\nmin = 5\nlabel = 'x'\nsanction = 'y'\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"points\.toml.*bands"):
        load_points_config(tmp_path)
