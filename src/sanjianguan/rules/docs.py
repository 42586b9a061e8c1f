"""Generates `docs/rules.md`, the rule catalogue, from the rule declarations.

Run `python -m sanjianguan.rules.docs` after changing a rule; a test fails when the
file is stale or a rule is missing from it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from sanjianguan.queries.params import params_table
from sanjianguan.rules.model import Category, Rule
from sanjianguan.rules.registry import builtin_rules

DOC_PATH = Path("docs") / "rules.md"

HEADER = """# 规则目录 / Rule catalogue (一级指标)

> 本文件由 `python -m sanjianguan.rules.docs` 根据 `src/sanjianguan/rules/catalogue/*.toml`
> 自动生成，请勿手工编辑。Generated from the rule declarations; do not edit by hand.

每条规则是一条返回问题记录的查询（a rule is a query that returns the offending rows）。
运行：`sjg analyze --period YYYY-MM [--engine duckdb|spark] [--rules C01,C02]`；
导出：`sjg hits --period YYYY-MM --format csv|parquet --out FILE`。
结算月内没有任何已结算就诊时，两者都拒绝执行：输出“错误 / error: 2025-04 无已结算的就诊数据 /
no encounters settled in 2025-04”，退出码 2，不记录运行、不写文件（0 条命中只表示“分析过、未发现”）。
Both refuse a month without settled encounters (exit 2, nothing stored or written).
"""

GUIDE = '''
## 地方配置 / Configuring rules for a region

在数据目录中放置 `rules.toml`（Put `rules.toml` in the data folder, `--home`）：

```toml
[C01]
enabled = false          # 停用 C01 / switch C01 off

[C02.params]
tolerance = 0.05         # 覆盖参数默认值 / override a parameter (type of the default)
```

未知规则、未知参数或类型不符都会报错并指出文件与字段。
Unknown rules, unknown parameters and wrong types are errors naming the file and field.

## 自定义规则 / Adding a regional rule (第三十五条)

在数据目录的 `rules/` 子目录中放一个 TOML 文件，格式与内置规则相同。
Drop a TOML file into `<home>/rules/`, in the same format as the built-in rules.
Worked example, `<home>/rules/X01.toml` — an inpatient charged more than a daily
amount of one item (单日单项费用过高):

```toml
id = "X01"
name_zh = "单日单项费用过高"
name_en = "high daily item amount"
category = "charges"          # charges|drugs|materials|exams|treatment|records
grade = "hint"                # violation|suspicious|hint
stage = "after"               # before (事前/事中) | after (事后)
policy = "XX市卫生健康委 补充监管指标 第1条"
evidence = ["item_code", "line_ids", "day_amount", "day_limit"]

# Top-level keys (query included) come before the [params.*] tables.
query = """
SELECT
  concat_ws('|', d.encounter_id, d.item_code, CAST(d.charge_day AS VARCHAR)) AS hit_key,
  d.institution_id, d.department, d.doctor_id, d.patient_id, d.encounter_id,
  CAST(NULL AS VARCHAR) AS related_encounter_id,
  d.charge_day AS event_date,
  CAST(0 AS DECIMAL(18,4)) AS amount_involved,
  d.item_code AS ev_item_code,
  d.line_ids AS ev_line_ids,
  d.day_amount AS ev_day_amount,
  :day_limit AS ev_day_limit
FROM (
  SELECT l.institution_id, l.encounter_id, l.patient_id, l.item_code, l.charge_day,
    min(l.department) AS department, min(l.doctor_id) AS doctor_id,
    list(l.line_id) AS line_ids,
    CAST(sum(l.amount) AS DECIMAL(18,4)) AS day_amount
  FROM p_fee_lines AS l
  WHERE l.encounter_type = 'inpatient'
  GROUP BY l.institution_id, l.encounter_id, l.patient_id, l.item_code, l.charge_day
) AS d
WHERE d.day_amount > :day_limit
"""

[params.day_limit]
default = 5000.0
description = "单日单项金额上限(元) / daily limit in yuan"
```

### 查询约定 / Query contract

- 用 DuckDB SQL 书写一条 SELECT；同一查询经 sqlglot 转换后在 Spark 上运行，结果须一致。
  One SELECT in DuckDB SQL; it is translated for Spark and must give identical hits.
  DuckDB 直接执行原文（`:name` 换成参数值）；原文 DuckDB 不接受时（如用保留字 `similar` 作名称），
  改用 sqlglot 生成的 SQL，结果相同，只是编译慢一些。DuckDB runs the text itself, with
  the values in place of the placeholders; a text DuckDB refuses (a reserved word such as
  `similar` used as a name) runs as sqlglot generates it, alike but slower to compile.
- 输出列 / output columns: `hit_key` (the hit's key parts joined with `|`: the hit id is a
  hash of rule id and hit_key, so it is stable across runs and engines), `institution_id`,
  `department`, `doctor_id`, `patient_id`, `encounter_id`, `related_encounter_id`,
  `event_date` (DATE), `amount_involved` (DECIMAL, yuan; NULL = 0), and one `ev_<name>`
  column per name in `evidence`. Evidence becomes JSON with sorted keys, numbers as
  strings and lists sorted: an evidence list needs no `ORDER BY` inside `list(...)`
  (Spark ignores it, and in DuckDB an ordered aggregate sorts every group, about three
  times the cost of the aggregate on the shared views).
- 参数 / parameters: `:name` for each `[params.name]`, bound as literals; built-ins
  `:period` ('YYYY-MM'), `:period_start` and `:period_end` (DATEs, end exclusive).
- 视图 / views: `p_encounters`, `p_diagnoses`, `p_procedures`, `p_fee_items`, `p_orders`,
  `p_exam_reports`, `p_consents` (rows settled in the period); `p_fee_lines` (fee lines with
  `charge_day`, `patient_id`, `encounter_type`, responsible `doctor_id`, `department`, and
  the encounter's `discharge_day` and `settlement_day`: a rule comparing a line with its
  encounter's days reads them here rather than joining every line to `p_encounters`);
  `p_fee_daily` (per encounter, item and day: `net_quantity`, `net_amount`,
  `max_unit_price`, `line_ids`, `doctor_id`, `department`); `p_fee_net` (the same per
  encounter and item, plus `first_day`, `last_day`); `p_fee_uncharged` (退费冲减后未收费:
  the encounter and item pairs whose net quantity is not above 0, a few per thousand
  lines); `p_stays` (inpatient stays with
  `admit_day`, `discharge_day`, `los`). Full tables (`encounters`, `fee_items`, ...) for
  look-back, the masters (`institutions`, `staff`, `patients`) and the knowledge base
  (`ref_items`, `ref_item_relations`, `ref_drg`, `ref_minor_diagnoses`, `ref_icd10`).
  A sum per encounter and item (and day) is the views' `net_amount`: read it rather than
  aggregating `p_fee_lines` again in the rule, unless the rule concerns a few items.
- 先判定、后取证 / decide, then gather evidence: 规则先在精简汇总上判定命中（C01、C03、C04、
  C05、C11、D01、M01、M02 在其少数项目的明细上汇总净数量和金额），再只为命中的分组从其费用明细
  取明细号、医生和科室。A rule decides on slim sums (C01, C03, C04, C05, C11, D01, M01, M02
  sum their few items' lines) and gathers line ids, doctor and department from the hitting
  groups' own lines alone. A run builds a view with only the columns its rules name (a
  column qualified by one of the view's aliases, a bare name in a SELECT reading the view
  or in a subquery of one, or a bare name equal to the view's alias, keeps it). Name a
  view's columns rather than `SELECT *` from it, in a CTE too: a star reading a built view
  builds all its columns (C05's first semi-join built the fee lines' 22 for every run).
- 是否仍收费 / still charged: 明细的项目是否仍收费（退费冲减后净数量 > 0），在明细自身的条件之后
  以 `NOT EXISTS (SELECT 1 FROM p_fee_uncharged AS u WHERE u.encounter_id = l.encounter_id
  AND u.item_code = l.item_code)` 判断。Whether a line's item stays charged is asked that
  way after the line's own tests (C02, C06, C07, C08, C10, C13, C14, D02, D07, E02, R03,
  R04, T07): only a pair with a refund line can be uncharged, so the view holds a few
  thousand pairs where `p_fee_net` holds a city month's 33 M, and no rule of the catalogue
  reads `p_fee_net`, which a catalogue run therefore never builds (docs/benchmarks.md,
  twenty-first round). A hit's amount (D05, D09) is summed from the hits' own lines, or
  from the few items' lines (D07). A shared view is written without CTEs: with them, Spark's
  cache of `p_fee_uncharged` did not serve T07's readings (probably because a CTE gets a
  new id each time a query resolves the view, so the cached plan no longer matches).
- 先粗筛、再精算 / a cheap test first: 分组多、命中少的规则先按分组键的哈希粗筛（C01、D05、D09、
  T02、T07、T13），只为可能命中的分组计算文本键上的精确结果；粗筛只能多放行，不能漏掉。A rule
  whose grouping has tens of millions of groups and few hits first groups a hash of its
  key (one 64-bit integer, far cheaper than text keys) to find the groups that can hit
  (more than one line, a repeated ingredient, a refund, a fingerprint of an item set),
  then computes the exact result on the text keys for those groups alone. Every exact
  group lies within one hash group, so a collision only lets more rows through: the hits
  are the same. Likewise a rule reads the lines or the diagnoses for its candidates'
  encounters only (`encounter_id IN (SELECT encounter_id FROM candidates)`: T07, D01), and
  `WITH x AS MATERIALIZED (...)` makes DuckDB compute a small CTE before planning the
  joins around it (C11; the Spark translation drops the hint). On a city month these took
  the nine rules from about 86 s to about 41 s (docs/benchmarks.md, ninth round). Spark
  recomputes a CTE at each reference: a rewrite that reads a large CTE twice can be
  slower there (E01's was, and was not kept).
- 别依赖连接估计 / do not lean on join estimates: 大于县级的月份，DuckDB 的物化视图是 Parquet
  文件，没有去重计数的统计，规划器可能高估命中数而去哈希整月明细。取命中者的明细用半连接，先把
  大表截到少数项目再连接（C05、D07）。Beyond a county's month, DuckDB's built views are
  Parquet files, which carry no distinct counts, so the planner may overestimate a rule's
  hits and build its hash table on the month's lines. Gather the hitting groups' lines
  through a semi-join (`JOIN (SELECT encounter_id,
  line_id, … FROM p_fee_lines WHERE encounter_id IN (SELECT encounter_id FROM over)) AS l`,
  C05: 17 → 1.3 s; name the columns, since `*` makes the run build every column of the
  view), and cut a large view to the few items that matter before joining it (C11, D01,
  D07, M01).
  A semi-join on few keys taken from a filter over the month's lines may still be planned
  the wrong way round: the filter's estimate is millions, so DuckDB builds its hash table
  on the large side (a month's nets, encounters or patients) and probes it with the few
  keys. Give the keys as an unnested list,
  `x.encounter_id IN (SELECT unnest(list(DISTINCT encounter_id)) FROM candidates)`: the
  planner takes the list for the small side, builds on it and filters the large scan by
  it (C11, D06, R02, T10; on a city month D06 3.6 → 1.1 s, R02 3.2 → 0.9 s). Spark
  receives `EXPLODE(COLLECT_LIST(DISTINCT …))`, the same keys; an empty candidate set
  gives an empty list and no row on both engines.
- 规则读哪些视图 / which views a run builds: 一次运行只建立所选规则读到的视图（及这些视图
  所读的视图），只含规则用到的列，由查询的 SQL 解析得出，规则无需声明。A run creates only
  the views its rules read, directly or through other views, each materialised one with
  only the columns they name (a superset, never less; a `*` over a view keeps all); they
  are found in each query's SQL (`queries/views.py` `read_by`, `slimmed`), so a rule
  declares nothing and cannot forget a view or a column. A view one query reads once
  stays a plain view on DuckDB unless it is large enough to be built in slices
  (`read_once`). Only a view that collects lists (`line_ids`) is built in slices; sums
  spill to disk beyond DuckDB's memory limit and are built in one pass.
- 回溯 / look-back: 需要此前月份的规则（E01、T01、T06、T08、T10 等）直接读全表，并在查询中
  按日期自行限定窗口（多为参数，如 T06 的 `window_days`），读到所需的最早月份为止；规则不声明
  回溯月数。A rule that needs earlier months reads the full tables and bounds its own
  window in the query, mostly by a parameter (T06 `window_days`, T10 `lookback_days`),
  as far back as it needs. There is no declared month count (`lookback_months` was
  removed, and a declaration with it is refused): a fixed count could not follow a
  region's parameter values or the knowledge base's repeat windows (E01). A look-back
  reads only what a hit of the period can need: T13 the visits of the period's patients
  in the calendar months of their visits in the period; S01/S02 the benchmark window's
  lines of the benchmark stays only.

### 编译结果的基准文件 / Golden files of the compiled Spark SQL

每条规则、每个共享视图和每个指标编译成 Spark SQL 的结果（默认参数、固定期间 2025-03）保存在
`tests/fixtures/golden/spark/{rules,views,indicators}/<id>.sql`，测试逐一比对，不需要启动 Java。
The Spark SQL compiled from every rule, shared view and indicator (default parameters,
period 2025-03) is kept in `tests/fixtures/golden/spark/{rules,views,indicators}/<id>.sql`;
a test compares each one without starting Java, and a new rule without its file fails.
After changing a query, a view, the compiler or sqlglot, rewrite them with
`SJG_UPDATE_GOLDEN=1 pytest tests/queries/test_golden.py` and **review the diff by hand**
(人工审阅差异) before committing: it is the SQL Spark will run, and a change there that
the DuckDB tests cannot see is how the two engines drift apart.
'''


def render(rules: Sequence[Rule]) -> str:
    """The whole catalogue document."""
    ordered = sorted(rules, key=lambda r: (list(Category).index(r.category), r.id))
    parts = [HEADER, _overview(ordered)]
    for category in Category:
        members = [r for r in ordered if r.category is category]
        if members:
            parts.append(f"## {category.label_zh} ({category.value})\n")
            parts.extend(_rule_section(r) for r in members)
    parts.append(GUIDE)
    return "\n".join(parts).rstrip() + "\n"


def _overview(rules: Sequence[Rule]) -> str:
    lines = ["| id | 名称 | name | 类别 category | 级别 grade | 阶段 stage |", "|---|---|---|---|---|---|"]
    for r in rules:
        lines.append(
            f"| {r.id} | {r.name_zh} | {r.name_en} | {r.category.label_zh} | "
            f"{r.grade.label_zh} ({r.grade.value}) | {r.stage.label_zh} ({r.stage.value}) |"
        )
    return "\n".join(lines) + "\n"


def _rule_section(rule: Rule) -> str:
    lines = [
        f"### {rule.id} {rule.name_zh} ({rule.name_en})\n",
        f"- 级别 / grade: {rule.grade.label_zh} (`{rule.grade.value}`)",
        f"- 阶段 / stage: {rule.stage.label_zh} (`{rule.stage.value}`)",
        f"- 依据 / policy: {rule.policy}",
        f"- 证据 / evidence: {', '.join(f'`{e}`' for e in rule.evidence)}",
    ]
    lines += params_table(rule.params)
    lines += ["", "```sql", rule.query.strip(), "```", ""]
    return "\n".join(lines)


def main(root: Path = Path()) -> None:
    """Write `docs/rules.md` under `root`."""
    path = root / DOC_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(builtin_rules()), encoding="utf-8")
    sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
