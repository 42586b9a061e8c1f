"""Charts for documents (图表): bar and line charts as PNG with Chinese labels (matplotlib, Agg).

Chinese needs a CJK font on the machine that generates the document: the first of
`CJK_FONTS` that matplotlib finds (Debian: `fonts-noto-cjk`, installed by scripts/setup).
Without one, `ChartFontMissing` says what to install, instead of a chart of empty boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache

import matplotlib

matplotlib.use("Agg")  # no display on a server

from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sanjianguan.errors import ConfigError

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
)
DPI = 150
BAR_COLOUR = "#2f6fb0"


class ChartFontMissing(ConfigError):
    """No CJK font for chart labels."""


@cache
def chinese_font() -> str:
    """The family name of the first installed font of `CJK_FONTS`."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    raise ChartFontMissing(
        "图表需要中文字体：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）/ "
        "charts need a CJK font: install fonts-noto-cjk"
    )


def _figure(width_cm: float, height_cm: float) -> tuple[Figure, Axes]:
    plt.rcParams["font.family"] = [chinese_font()]
    plt.rcParams["axes.unicode_minus"] = False
    figure, axes = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=DPI)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=DPI)
    plt.close(figure)
    return buffer.getvalue()


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    unit: str = "",
    horizontal: bool = False,
    width_cm: float = 15.0,
    height_cm: float = 8.0,
) -> bytes:
    """A bar chart with each bar's value written on it; horizontal for long labels (rules, institutions)."""
    figure, axes = _figure(width_cm, height_cm)
    if horizontal:
        positions = range(len(labels))[::-1]  # the first label on top
        bars = axes.barh(list(positions), values, color=BAR_COLOUR)
        axes.set_yticks(list(positions), labels)
        axes.set_xlabel(unit)
    else:
        bars = axes.bar(range(len(labels)), values, color=BAR_COLOUR)
        axes.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 6 else 0, ha="right")
        axes.set_ylabel(unit)
    axes.bar_label(bars, labels=[_short(v) for v in values], fontsize=8, padding=2)
    axes.set_title(title)
    return _png(figure)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str = "",
    width_cm: float = 15.0,
    height_cm: float = 7.0,
) -> bytes:
    """Lines over months (趋势), one per named series, with a legend."""
    figure, axes = _figure(width_cm, height_cm)
    for name, values in series:
        axes.plot(range(len(labels)), values, marker="o", label=name)
    axes.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 6 else 0, ha="right")
    axes.set_ylabel(unit)
    axes.set_title(title)
    if len(series) > 1:
        axes.legend()
    return _png(figure)


def _short(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.2f}"
