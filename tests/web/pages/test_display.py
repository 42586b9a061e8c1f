"""页面显示格式: times in China time to the minute, whatever form the case file gives them in."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sanjianguan.web.pages.display import EMPTY, when


def test_a_time_is_shown_in_china_time_to_the_minute() -> None:
    aware = datetime(2026, 6, 20, 13, 58, 50, 163735, tzinfo=UTC)
    assert when(aware) == "2026-06-20 21:58"
    assert when(aware.replace(tzinfo=None)) == "2026-06-20 21:58"  # naive: stored as UTC
    assert when("2026-06-20T13:58:50.163735+00:00") == "2026-06-20 21:58"
    assert when("2026-12-31 23:30:00") == "2027-01-01 07:30"  # across the year's end


def test_dates_and_nothing_are_shown_as_they_are() -> None:
    assert when(date(2026, 10, 8)) == "2026-10-08"
    assert when("2026-10-08") == "2026-10-08"
    assert when(None) == EMPTY
    assert when("") == EMPTY
    assert when("不是时间") == "不是时间"


def test_code_spans_mark_parameter_keys_and_escape_the_rest() -> None:
    from sanjianguan.web.pages.display import code_spans

    shown = code_spans("净数量超过每日上限 `max_per_day` <b>")
    assert str(shown) == "净数量超过每日上限 <code>max_per_day</code> &lt;b&gt;"
    assert str(code_spans(None)) == ""
