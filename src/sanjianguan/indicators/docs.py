"""Generates `docs/indicators.md`, the indicator catalogue, from the declarations.

Run `python -m sanjianguan.indicators.docs` after changing an indicator or a sample
target; a test fails when the page is stale or an indicator is missing from it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from sanjianguan.indicators.model import Group, Indicator
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.indicators.targets import DEFAULT_CATEGORY, IndicatorSettings, load_settings
from sanjianguan.queries.params import params_table

DOC_PATH = Path("docs") / "indicators.md"

HEADER = """# 监管指标目录 / Indicator catalogue (二级、三级指标与 O/E)

> 本文件由 `python -m sanjianguan.indicators.docs` 根据 `src/sanjianguan/indicators/catalogue/*.toml`
> 与 `targets.toml` 自动生成，请勿手工编辑。Generated from the declarations; do not edit by hand.

计算 / compute: `sjg indicators --period YYYY-MM | --year YYYY [--level institution|department|doctor]
[--format table|csv|json] [--out FILE] [--headers en|zh]`；`sjg analyze --period YYYY-MM`
在规则之后同时计算当月指标 (`--no-indicators` 关闭)。
导出列 / exported columns: `period, level, institution_id, department, doctor_id, indicator,
indicator_name, group, numerator, denominator, cases, value, target, failing, failing_reason`
(`--headers zh` 为中文表头；CSV 文件 UTF-8 带 BOM，见 `docs/exports.md`)；
`indicator` 为下表的稳定编号 (stable id)。终端表格标题中的不达标数只计当前层级。

## 口径 / Readings

- **统计期 / period.** 月度 = 结算月 P 内结算的就诊 (inpatients: 出院结算)；年度 = 该年 12 个结算月。
  **“年平均值”按“全年分子 ÷ 全年分母”计算**，不是 12 个月度值的平均：第二十条、第二十一条
  “任意 3 项 / 5 项指标年平均值不达标” 读取 `--year` 的结果。The regulation's "yearly average" is the
  year's numerator over the year's denominator, never the mean of monthly values.
- **值 / value** = 分子 ÷ 分母 (per-100 单位再 × 100)，全精度：38 位有效数字、
  四舍五入到 18 位小数 (多于双精度)，CSV/JSON 导出原样写出 (最短精确形式，如 `0.5`)，
  只有终端表格为显示取 4 位小数；分母为 0 时无值 (不出行，绝不写 0)；计数类指标 value = 分子，
  分母为空。分子、分母在引擎中以 DECIMAL(38,12) 精确求和，值由未舍入的分子、分母算出；库表
  `indicator_values` 存分子、分母 4 位小数、值 18 位小数。
- **计数为 0 / zero counts.** 统计期内有已结算就诊的每个机构，对每个计数类指标 (如
  `tcm_nondrug_item_count`、`drg_group_count`) 都有一行机构级结果；没有任何计数时 value = 0
  (分子 0、分母为空、cases 0)，而不是没有这一行。科室、医师只在有贡献时出行。统计期内没有就诊的
  机构不出行。Every institution with encounters settled in the period gets an institution row
  for each count, 0 when nothing is counted.
- **重点监控药品收入占比 / key-monitored drug share.** 分子、分母都只取药品明细 (drug_western、
  drug_chinese_patent、herbal_pieces，含退费行，按净额)：知识库标为 `key_monitored` 的项目记在非药品
  明细上时两边都不计。按就诊的科室与医师归属；没有药品明细的就诊不计病例。Both sides are drug
  lines only, net of refunds; a key_monitored item on a non-drug line counts in neither.
- **中医优势病种比例 / TCM-advantage disease ratio.** 主要诊断以知识库 `ref_tcm_advantage_diseases`
  任一前缀开头的出院患者 (多个前缀重叠时只计一次) ÷ 出院患者。该表为空 (地区尚未装载病种名单) 时
  **无值**：不出行、不写 0，页面与导出中没有该指标，与分母为 0 的比率一样。While the list is empty
  the indicator has no value (no row), as a rate without denominator.
- **无数据的统计期 / a period without data.** 统计期内没有任何已结算就诊时，`sjg indicators`
  (以及 `sjg hits`、`sjg growth`、`sjg selfcheck`) 拒绝计算：输出
  “错误 / error: 2025-04 无已结算的就诊数据 / no encounters settled in 2025-04”，退出码 2，不存任何行
  (不再存一整套 0 值)。A period with no settled encounters is refused (exit 2), nothing stored.
- **工作日数 / working days.** `:working_days` (医师日均担负门急诊人次的分母) 是统计期的法定工作日数，
  按分析用日历计算：随程序发布的年份 (至 2026 年) 加上数据目录 `calendar/<年度>.csv` 中用
  `sjg calendar load FILE` 载入的年份 (见 `docs/calendar.md`)。统计期含有未载入的年份时该指标**不计算**
  (不出值、不判定，不按暂定日历估算)，其他指标照常计算；`sjg analyze`/`sjg indicators`/演示打印警告，
  写明指标、年份和办法 (`sjg calendar load FILE` 后重新计算)。A period with a year the calendar
  lacks skips the working-day indicator with a warning; the others are computed.
- **层级 / levels.** 机构 (institution)；科室 (institution + department)；医师 (institution + doctor_id,
  跨科室合计)。住院、门诊类指标按就诊的科室与主治/接诊医师归属；I 类切口按术者 (无术者时主治医师)；
  人员类指标按人员表的科室。
- **除法取整 / rounding.** 引擎内的除法都以整数运算完成，DuckDB 与 Spark 结果逐位一致。
  DRG 时间/费用消耗指数的逐例比值 (住院日或费用 ÷ 区域同 DRG 均值) 与 O/E 的期望值 (区域均值)
  以整数长除法四舍五入到 **12 位小数**，故指数与精确分数之差约在 1e-12 (相对) 以内 (此前取 4 位小数，
  相对误差可达 2e-5)；抗菌药物 DDD 数仍按 4 位小数。Per-stay DRG ratios and O/E expected values
  are exact to 12 decimals (integer long division), the same digits on both engines.
- **O/E 与 DRG 指数.** 仅含有住院日的出院病例；区域均值 = 统计期内所有已加载机构同 DRG 病例的均值；
  无 DRG 时 = 同级别机构、同 3 位主要诊断 (所有病例) 的均值。
- **病例数 / cases** (用于 `min_cases`): 分母所数的单位个数——出院病例、就诊、报告、手术或护士
  (医护比、床护比)；DDD 强度按出院病例数，医师日均指标按就诊或出院病例数。The unit count behind the
  denominator (stays, encounters, reports, procedures, nurses).

## 达标判定 / Targets and 不达标 (第三十四条)

“不达标”包括两种情况：未达到标值；或无标值时按分析规则筛出。
1. **有标值 / with a target**: `lower` 指标 value > 标值为不达标，`higher` 指标 value < 标值为不达标
   (相等为达标)；标值可设 `min_cases` (如 O/E 须 ≥ 30 例)。`failing_reason = target`。
2. **无标值 / without a target**: 同级 (level 3/2/1/0) 同类 (category) 机构间稳健离群：
   中位数 ± 2 × 1.4826 × MAD (本单位计入中位数与 MAD)；本单位及参与比较的同行病例数均须 ≥ 30，
   且同组 ≥ 5 个单位；
   只判不利方向 (lower 指标高于上界、higher 指标低于下界)；MAD = 0 时不判。科室与同名科室比较，
   医师与同级同类机构的医师比较。`failing_reason = peer_outlier`。

标值按机构类别配置：内置示例见下表 (`targets.toml`)，`default` 适用于所有类别。
地区在数据目录放置 `targets.toml` 覆盖 (Region overrides in `<home>/targets.toml`)：

```toml
["综合医院".antibiotic_ddds_per_100_patient_days]
target = 35
source = "XX市卫生健康委 2025 年标值"

["中医医院".outpatient_tcm_prescription_ratio]
target = 0.3
source = "XX市卫生健康委 2025 年标值"

[default.ct_positive_rate]
target = "none"              # 取消标值，改按同级同类离群判定 / no target: peer outliers decide
source = "地区不设标值"

[peer_outliers]
robust_sd = 2.0
min_cases = 30
min_peers = 5

[params.key_disease_mortality]
key_prefixes = ["I21", "I50", "I63", "J18", "I61"]
```

不达标的机构级指标存于 `indicator_values` (`failing = true`，含 `indicator_group`)，供责任追究读取：
`sanjianguan.indicators.results_table.failing(con, "2025-03" | "2025", groups=("2A",))` 返回 period,
institution_id, indicator, indicator_name, group, value, target, reason (`target` | `peer_outlier`)。
第二十、二十一条按年度值计：先运行 `sjg indicators --year YYYY`。Failing institution-level indicators
are read by the accountability ladder through `failing()`; run the year first for articles 20-21.

## 异常增长 / Growth alerts (`sjg growth`)

`sjg growth --period YYYY-MM [--format table|csv|json] [--out FILE] [--headers en|zh]
[--engine duckdb|spark]`：
某机构某项目/药品 (item_code) 当月金额 (结算月 P 的明细金额合计，含退费冲减) 与上月 (环比 `mom`)、
去年同月 (同比 `yoy`) 比较，增长率 = (本月 − 基期) ÷ 基期 **大于** `min_growth` 且本月金额
**不低于** `min_amount` 元时预警；基期金额 ≤ 0 或无基期 (新项目) 不计增长率、不预警。结果直接导出，
不入库。导出列 / columns: `period, institution_id, item_code, item_name, item_type, comparison,
base_period, amount, base_amount, increase, growth`。An item's month amount (net of refunds) is
compared with the previous month and the same month a year before; growth above `min_growth` with
at least `min_amount` yuan in the month raises an alert; a base ≤ 0 has no growth rate.
"""


def render(indicators: Sequence[Indicator], settings: IndicatorSettings) -> str:
    """The whole catalogue page."""
    parts = [HEADER, _analysis_settings(settings), _overview(indicators)]
    for group in Group:
        members = [i for i in indicators if i.group is group]
        if members:
            parts.append(f"## {group.label_zh} (`{group.value}`)\n")
            parts.extend(_section(i, settings) for i in members)
    return "\n".join(parts).rstrip() + "\n"


def _analysis_settings(settings: IndicatorSettings) -> str:
    peers, growth = settings.peers, settings.growth
    return "\n".join(
        [
            "## 分析参数 (内置默认) / Analysis settings (built-in defaults, `targets.toml`)\n",
            "| 项 setting | 值 value |",
            "|---|---|",
            f"| `peer_outliers.robust_sd` 稳健标准差倍数 | {peers.robust_sd} |",
            f"| `peer_outliers.min_cases` 分母最少病例数 | {peers.min_cases} |",
            f"| `peer_outliers.min_peers` 同组最少单位数 | {peers.min_peers} |",
            f"| `growth.min_growth` 增长率阈值 (大于) | {growth.min_growth} |",
            f"| `growth.min_amount` 本月金额下限 (元，不低于) | {growth.min_amount} |",
            "",
        ]
    )


def _overview(indicators: Sequence[Indicator]) -> str:
    lines = [
        "## 总表 / Overview\n",
        "| id | 指标 | group | 方向 direction | 单位 unit |",
        "|---|---|---|---|---|",
    ]
    for i in indicators:
        lines.append(f"| `{i.id}` | {i.name_zh} | {i.group.value} | {i.direction.value} | {i.unit.value} |")
    return "\n".join(lines) + "\n"


def _targets(indicator: Indicator, settings: IndicatorSettings) -> list[str]:
    found = sorted(
        ((category, t) for (category, ind), t in settings.targets.items() if ind == indicator.id),
        key=lambda pair: (pair[0] != DEFAULT_CATEGORY, pair[0]),
    )
    if not found:
        return ["- 标值 / target: 无 (同级同类离群判定 / peer outliers)"]
    lines = ["- 标值 / targets:"]
    for category, target in found:
        cases = f", ≥ {target.min_cases} 例 cases" if target.min_cases else ""
        value = "无 none" if target.value is None else str(target.value)
        lines.append(f"  - {category}: {value}{cases} — {target.source}")
    return lines


def _section(indicator: Indicator, settings: IndicatorSettings) -> str:
    denominator = indicator.denominator or "(计数类，无分母 / count: no denominator)"
    lines = [
        f"### `{indicator.id}` {indicator.name_zh} ({indicator.name_en})\n",
        f"- 分组 / group: {indicator.group.label_zh} (`{indicator.group.value}`)",
        f"- 分子 / numerator: {indicator.numerator}",
        f"- 分母 / denominator: {denominator}",
        f"- 方向 / direction: {indicator.direction.label_zh} (`{indicator.direction.value}`)",
        f"- 单位 / unit: `{indicator.unit.value}`",
        f"- 层级 / levels: {', '.join(f'`{lv.value}`' for lv in indicator.levels)}",
        f"- 数据 / needs: {', '.join(f'`{t}`' for t in indicator.needs)}",
        f"- 依据 / policy: {indicator.policy}",
        *_targets(indicator, settings),
    ]
    lines += params_table(indicator.params)
    lines += ["", "```sql", indicator.query.strip(), "```", ""]
    return "\n".join(lines)


def current() -> str:
    """The page as the declarations and built-in targets describe it."""
    indicators = builtin_indicators()
    return render(indicators, load_settings(None, indicators))


def main(root: Path = Path()) -> None:
    """Write `docs/indicators.md` under `root`."""
    path = root / DOC_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(current(), encoding="utf-8")
    sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
