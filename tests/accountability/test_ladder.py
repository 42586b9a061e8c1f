"""One test per ladder row, with counted examples (art. 34: one rule per cycle = one time)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjianguan.accountability.config import Ladder, Source, load_ladder
from sanjianguan.accountability.proposals import (
    DecidedClue,
    IndicatorFailure,
    InstitutionEvent,
    LadderInputs,
    Proposal,
    propose,
    propose_row,
)
from sanjianguan.errors import ConfigError

LADDER = load_ladder()
YEAR = 2026


def row_proposals(row_id: str, inputs: LadderInputs, *, until: str | None = None) -> list[Proposal]:
    row = LADDER.row(row_id)
    assert row is not None
    return propose_row(row, inputs, YEAR, until=until)


def clue(
    n: int, rule: str, period: str, *, doctor: str = "D1", dept: str = "内科", inst: str = "H1"
) -> DecidedClue:
    return DecidedClue(f"c{n}", rule, inst, period, department=dept, doctor_id=doctor)


def clues(*items: DecidedClue) -> LadderInputs:
    return LadderInputs(clues=items)


def failures(group: str, period: str, n: int, inst: str = "H1") -> list[IndicatorFailure]:
    return [IndicatorFailure(period, inst, f"{group}-{i}", group) for i in range(n)]


def events(source: Source, cycles: list[str], inst: str = "H1") -> LadderInputs:
    return LadderInputs(
        events=tuple(InstitutionEvent(source, inst, c, f"{source.value}-{i}") for i, c in enumerate(cycles))
    )


def test_every_spec_row_is_configured() -> None:
    articles = sorted({r.article for r in LADDER.rows}, key=int)
    assert articles == ["16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "33"]
    assert len(LADDER.rows) == 18


# --- art. 17: doctor ----------------------------------------------------------------------


def test_art17_each_time_one_proposal_per_cycle_with_its_times() -> None:
    # Same rule, same cycle, three cases = one time; a second rule in the cycle = a second time.
    got = row_proposals(
        "art17_each",
        clues(
            clue(1, "R1", "2026-01"),
            clue(2, "R1", "2026-01"),
            clue(3, "R1", "2026-01"),
            clue(4, "R2", "2026-01"),
        ),
    )
    assert [(p.subject_id, p.period, len(p.times)) for p in got] == [("H1/D1", "2026-01", 2)]
    assert got[0].times[0].refs == ("c1", "c2", "c3")


def test_art17_year_two_times_no_three_times_yes() -> None:
    two = clues(clue(1, "R1", "2026-01"), clue(2, "R1", "2026-01"), clue(3, "R1", "2026-02"))
    assert row_proposals("art17_year", two) == []  # R1@01 + R1@02 = 2 times
    three = clues(*two.clues, clue(4, "R2", "2026-02"))
    (p,) = row_proposals("art17_year", three)  # R1@01, R1@02, R2@02 = 3 times ("3次以上" includes 3)
    assert (p.subject_id, p.period, len(p.times)) == ("H1/D1", "2026", 3)


def test_art17_a_doctor_in_several_departments_is_counted_once_per_rule_and_cycle() -> None:
    got = row_proposals(
        "art17_each",
        clues(
            clue(1, "R1", "2026-01", dept="内科"),
            clue(2, "R1", "2026-01", dept="外科"),
            clue(3, "R2", "2026-01", dept="儿科"),
        ),
    )
    assert [(p.subject_id, p.period, len(p.times), p.department) for p in got] == [
        ("H1/D1", "2026-01", 2, "儿科、内科、外科")
    ]
    assert got[0].times[0].refs == ("c1", "c2")  # R1 in two departments: still one time


def test_art17_year_counts_the_calendar_year_only() -> None:
    got = row_proposals(
        "art17_year", clues(clue(1, "R1", "2025-12"), clue(2, "R1", "2026-01"), clue(3, "R2", "2026-01"))
    )
    assert got == []  # 2025-12 belongs to 2025: only 2 times in 2026


# --- art. 18: department -------------------------------------------------------------------


def test_art18_three_times_in_one_cycle() -> None:
    # Three doctors, three rules, one cycle: 3 times for the department.
    inputs = clues(
        clue(1, "R1", "2026-03", doctor="A"), clue(2, "R2", "2026-03", doctor="B"), clue(3, "R3", "2026-03")
    )
    (p,) = row_proposals("art18_cycle", inputs)
    assert (p.subject_id, p.period, len(p.times)) == ("H1/内科", "2026-03", 3)


def test_art18_many_people_same_rule_same_cycle_is_one_time() -> None:
    inputs = clues(*(clue(i, "R1", "2026-03", doctor=f"D{i}") for i in range(6)))
    assert row_proposals("art18_cycle", inputs) == []  # 6 cases, 1 time
    assert [len(p.times) for p in row_proposals("art17_each", inputs)] == [1] * 6  # each doctor: 1 time


def test_art18_two_plus_two_in_two_cycles_is_four_in_year_no() -> None:
    inputs = clues(
        clue(1, "R1", "2026-01"), clue(2, "R2", "2026-01"), clue(3, "R1", "2026-02"), clue(4, "R2", "2026-02")
    )
    assert row_proposals("art18_cycle", inputs) == []  # 2 per cycle
    assert row_proposals("art18_year", inputs) == []  # 4 in the year < 5


def test_art18_five_in_the_year() -> None:
    inputs = clues(*(clue(i, "R1", f"2026-{m:02d}") for i, m in enumerate([1, 2, 4, 7, 11])))
    (p,) = row_proposals("art18_year", inputs)
    assert (p.period, [t.cycle for t in p.times]) == (
        "2026",
        ["2026-01", "2026-02", "2026-04", "2026-07", "2026-11"],
    )
    # Counted up to April only, the year has 3 times: not yet.
    assert row_proposals("art18_year", inputs, until="2026-04") == []


# --- art. 19: institution, level 1 ------------------------------------------------------------


def test_art19_any_confirmed_finding_orders_rectification() -> None:
    inputs = clues(
        clue(1, "R1", "2026-01", inst="H1"),
        clue(2, "R1", "2026-02", inst="H2"),
        clue(3, "R2", "2026-02", inst="H2"),
    )
    got = row_proposals("art19_each", inputs)
    assert [(p.subject_id, p.period, len(p.times)) for p in got] == [
        ("H1", "2026-01", 1),
        ("H2", "2026-02", 2),
    ]
    row = LADDER.row("art19_each")
    assert row is not None
    assert row.aggravated_action
    assert row.aggravated_interview


def test_self_reported_flag_needs_every_case_self_reported() -> None:
    a = DecidedClue("c1", "R1", "H1", "2026-01", self_reported=True)
    b = DecidedClue("c2", "R1", "H1", "2026-01", self_reported=False)
    assert row_proposals("art19_each", clues(a))[0].self_reported
    assert not row_proposals("art19_each", clues(a, b))[0].self_reported


# --- art. 20-23: level-2/3 indicators -----------------------------------------------------------


def test_art20_each_failing_group_a_is_a_reminder() -> None:
    got = row_proposals("art20_each", LadderInputs(failures=tuple(failures("2A", "2026-02", 2))))
    assert [(p.period, len(p.times)) for p in got] == [("2026-02", 2)]


def test_art20_three_group_a_failing_on_the_yearly_value() -> None:
    monthly = failures("2A", "2026-01", 3) + failures("2A", "2026-02", 3)
    assert (
        row_proposals("art20_year", LadderInputs(failures=tuple(monthly))) == []
    )  # monthly values don't count
    two = failures("2A", "2026", 2)
    assert row_proposals("art20_year", LadderInputs(failures=tuple(two))) == []
    three = failures("2A", "2026", 3)
    (p,) = row_proposals("art20_year", LadderInputs(failures=tuple(three)))
    assert (p.period, len(p.times), p.row.interview) == ("2026", 3, True)


def test_art21_five_group_b_failing() -> None:
    assert row_proposals("art21_year", LadderInputs(failures=tuple(failures("2B", "2026", 4)))) == []
    (p,) = row_proposals("art21_year", LadderInputs(failures=tuple(failures("2B", "2026", 5))))
    assert len(p.times) == 5
    assert len(row_proposals("art21_each", LadderInputs(failures=tuple(failures("2B", "2026-05", 1))))) == 1


def test_art22_group_c_reminder_only() -> None:
    inputs = LadderInputs(failures=tuple(failures("2C", "2026-06", 7) + failures("2A", "2026-06", 1)))
    (p,) = row_proposals("art22_each", inputs)
    assert len(p.times) == 7  # the group-A indicator is not a group-C time
    row = LADDER.row("art22_each")
    assert row is not None
    assert not row.interview


def test_art23_level3_yearly() -> None:
    inputs = LadderInputs(failures=tuple(failures("3", "2026", 1) + failures("3", "2026-04", 2)))
    (p,) = row_proposals("art23_year", inputs)
    assert [t.cycle for t in p.times] == ["2026"]


# --- art. 24: reporting duty ---------------------------------------------------------------------


def test_art24_three_times_in_the_year() -> None:
    two = events(Source.REPORTING_DUTY, ["2026-01", "2026-03"])
    assert len(row_proposals("art24_each", two)) == 2
    assert row_proposals("art24_year", two) == []
    three = events(Source.REPORTING_DUTY, ["2026-01", "2026-03", "2026-03"])  # late + quality in March
    (p,) = row_proposals("art24_year", three)
    assert len(p.times) == 3


# --- art. 25: interviews -------------------------------------------------------------------------


def test_art25_interviewed_two_and_three_times() -> None:
    one = events(Source.INTERVIEW, ["2026-02"])
    assert row_proposals("art25_twice", one) == []
    two = events(Source.INTERVIEW, ["2026-02", "2026-02"])  # two interviews in a month are two times
    assert len(row_proposals("art25_twice", two)) == 1
    assert row_proposals("art25_thrice", two) == []
    three = events(Source.INTERVIEW, ["2026-02", "2026-02", "2026-09"])
    assert len(row_proposals("art25_thrice", three)) == 1
    assert len(row_proposals("art25_twice", three)) == 1  # "2次" is met as well


# --- art. 16 and 33 ------------------------------------------------------------------------------


def test_art16_penalty_then_two_penalties() -> None:
    one = events(Source.ADMIN_PENALTY, ["2026-04"])
    assert [p.period for p in row_proposals("art16_each", one)] == ["2026"]
    assert row_proposals("art16_year", one) == []
    two = events(Source.ADMIN_PENALTY, ["2026-04", "2026-10"])
    assert len(row_proposals("art16_each", two)) == 1  # "取消当年评先评优": once a year
    assert len(row_proposals("art16_year", two)) == 1


def test_art33_not_carried_out_interview() -> None:
    (p,) = row_proposals("art33_each", events(Source.NOT_CARRIED_OUT, ["2026-05"]))
    assert p.row.interview
    assert p.period == "2026-05"


# --- whole ladder, configuration --------------------------------------------------------------------


def test_propose_keys_are_stable_and_distinct() -> None:
    inputs = clues(*(clue(i, f"R{i}", "2026-01") for i in range(3)))
    first = propose(LADDER, inputs, YEAR)
    assert [p.key for p in first] == [p.key for p in propose(LADDER, inputs, YEAR)]
    assert len({p.key for p in first}) == len(first)
    # art17_each, art17_year, art18_cycle (3 in the cycle), art19_each
    assert sorted(p.row.id for p in first) == ["art17_each", "art17_year", "art18_cycle", "art19_each"]


def test_region_override_changes_a_count_and_adds_a_row(tmp_path: Path) -> None:
    (tmp_path / "ladder.toml").write_text(
        '[rows.art17_year]\ncount = 2\n\n[rows.local_1]\nsubject = "institution"\nsource = "level1"\n'
        'count = 10\nwindow = "year"\narticle = "35"\naction = "市级：通报"\n',
        encoding="utf-8",
    )
    ladder = load_ladder(tmp_path)
    row = ladder.row("art17_year")
    assert row is not None
    assert row.count == 2
    assert row.action.startswith("院内通报")
    assert ladder.row("local_1") is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rows.art17_year]\ncount = 0\n", "rows.art17_year"),
        ('[rows.art17_year]\nwindow = "month"\n', "window"),
        ('[rows.new]\nsubject = "doctor"\n', "rows.new"),
        (
            '[rows.x]\nsubject = "doctor"\nsource = "interview"\ncount = 1\nwindow = "year"\n'
            'article = "1"\naction = "a"\n',
            "institution",
        ),
        ("[other]\n", "rows"),
        ("not toml", "TOML"),
    ],
)
def test_bad_override_names_file_and_row(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "ladder.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_ladder(tmp_path)
    assert "ladder.toml" in str(info.value)


def test_disabled_row_proposes_nothing(tmp_path: Path) -> None:
    (tmp_path / "ladder.toml").write_text("[rows.art19_each]\nenabled = false\n", encoding="utf-8")
    ladder: Ladder = load_ladder(tmp_path)
    assert all(p.row.id != "art19_each" for p in propose(ladder, clues(clue(1, "R1", "2026-01")), YEAR))
