"""结算月 typed on the analytic pages (驾驶舱, 指标, 数据采集, 规则): one reading, one message."""

from __future__ import annotations

from sanjianguan.web.pages.forms import PERIOD_ERROR, month_field


def test_a_month_is_normalised_and_a_bad_one_explained() -> None:
    errors: dict[str, str] = {}
    assert month_field(" 2026-03 ", errors) == "2026-03"
    assert month_field(None, errors) is None
    assert month_field("", errors) is None
    assert errors == {}
    assert month_field("2026-13", errors) is None
    assert errors == {"period": PERIOD_ERROR}
