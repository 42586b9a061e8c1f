"""The self-check form as data: its numbered items, Chinese wording, units and readings.

Items 43 (exam price, use and positive rate) and 45-52 (五、费用数据管理) of
定点医疗机构自查内容表(二级及以下定点医疗机构), seed 001 part 5. The form's
"2011协议内" (within the agreement year) reads as 本期 (the report's period), and the
city name (成都市) is dropped: the platform serves any region. A blank whose `key` is
None cannot be answered from the uploaded data and is left for the institution
(需机构填报).

The seed has only the 二级及以下 form; a 三级 hospital gets the same items under the
title (三级定点医疗机构), and an institution without a level the neutral title (see
`title_for`). The reading column (口径说明) is plain Chinese: no column names or tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

TITLE = "定点医疗机构自查内容表"
TITLE_LEVEL_2_AND_BELOW = f"{TITLE}(二级及以下定点医疗机构)"
TITLE_LEVEL_3 = f"{TITLE}(三级定点医疗机构)"
TO_FILL = "（需机构填报）"

# Exams of item 43: knowledge-base tag → name on the form. The form names DR (43.4) and
# CR (43.5); CT and MRI are added as the spec asks (numbered 43（补）, not invented numbers).
EXAMS: tuple[tuple[str, str, str], ...] = (
    ("dr", "DR", "43.4"),
    ("cr", "CR", "43.5"),
    ("ct", "CT", "43（补）"),
    ("mri", "MRI", "43（补）"),
)

# Fee-line categories (fee_items.item_type) as the reading column names them.
ITEM_TYPE_ZH = {
    "drug_western": "西药费",
    "drug_chinese_patent": "中成药费",
    "herbal_pieces": "中药饮片费",
    "exam": "检查费",
    "lab": "化验费",
    "treatment": "治疗费",
    "surgery": "手术费",
    "material": "卫生材料费",
    "bed": "床位费",
    "nursing": "护理费",
    "other": "其他费",
}

# Insurance groups of items 50 and 51: key suffix → patients.insurance_type (None = everyone).
INSURANCE_GROUPS: tuple[tuple[str, str | None, str], ...] = (
    ("all", None, "所有住院患者"),
    ("employee", "职工", "城镇职工参保住院患者"),
    ("resident", "居民", "城乡居民参保住院患者"),
)

# Cost structure of item 51: category → fee_items.item_type values. The form names drugs,
# exams, 诊疗 and other; the spec adds materials, so materials get their own share.
COST_CATEGORIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("drug", "药品费用", ("drug_western", "drug_chinese_patent", "herbal_pieces")),
    ("exam", "检查费用（含检验）", ("exam", "lab")),
    ("treatment", "诊疗费用（治疗、手术）", ("treatment", "surgery")),
    ("material", "材料费用", ("material",)),
    ("other", "其他费用（床位、护理、其他）", ("bed", "nursing", "other")),
)


class Kind(StrEnum):
    """What a blank holds; decides its unit and number format."""

    COUNT = "count"
    PERCENT = "percent"
    MONEY = "money"
    DAYS = "days"
    BEDS = "beds"
    AREA = "area"
    TEXT = "text"


UNITS = {
    Kind.COUNT: "人次",
    Kind.PERCENT: "%",
    Kind.MONEY: "元",
    Kind.DAYS: "天",
    Kind.BEDS: "张",
    Kind.AREA: "平方米",
    Kind.TEXT: "",
}
NUMBER_FORMATS = {
    Kind.COUNT: "0",
    Kind.PERCENT: "0.00",
    Kind.MONEY: "#,##0.00",
    Kind.DAYS: "0.00",
    Kind.BEDS: "0",
    Kind.AREA: "0.00",
    Kind.TEXT: "@",
}


@dataclass(frozen=True)
class Section:
    """A heading line of the form (一、二、...)."""

    title: str


@dataclass(frozen=True)
class Blank:
    """One blank of the form: item number (on its first blank), wording, figure and reading."""

    item: str
    label: str
    key: str | None  # figure id of the profile; None = 需机构填报
    kind: Kind
    reading: str = ""

    @property
    def unit(self) -> str:
        return UNITS[self.kind]


Row = Section | Blank


def _exam_rows() -> list[Row]:
    rows: list[Row] = [Section("四、就医管理（节选：第43项 检查价格、使用率、阳性率）")]
    for tag, name, item in EXAMS:
        rows += [
            Blank(
                f"{item} {name}",
                f"{name}平均价格",
                f"{tag}_price",
                Kind.MONEY,
                f"知识库中标记为{name}检查的收费项目：收费金额合计 ÷ 收费数量合计（退费冲减）",
            ),
            Blank(
                "",
                f"{name}平均使用率",
                f"{tag}_use_rate",
                Kind.PERCENT,
                f"收取{name}（退费冲减后数量大于0）的就诊人次 ÷ 全部就诊人次 × 100",
            ),
            Blank(
                "",
                f"{name}阳性率",
                f"{tag}_positive_rate",
                Kind.PERCENT,
                f"{name}阳性报告数 ÷ {name}报告数 × 100（阳性为空按非阳性）",
            ),
        ]
    return rows


def _stay_rows() -> list[Row]:
    rows: list[Row] = []
    for number, (suffix, _, people) in enumerate(INSURANCE_GROUPS, start=1):
        # Wording of 50.1-50.3: 所有住院患者的次均费用 / 城镇职工参保患者的住院次均费用, 次均住院天数.
        who = "所有住院患者的" if suffix == "all" else people.replace("住院患者", "患者的")
        cost_label = who if suffix == "all" else f"{who}住院"
        rows += [
            Blank(
                f"50.{number}",
                f"{cost_label}次均费用",
                f"cost_per_stay_{suffix}",
                Kind.MONEY,
                "医疗总费用合计 ÷ 住院人次",
            ),
            Blank(
                "",
                f"{who}次均住院天数",
                f"los_avg_{suffix}",
                Kind.DAYS,
                "住院天数合计 ÷ 有出院时间的住院人次；住院天数 = 出院日期 − 入院日期，当日出院按 1 天",
            ),
        ]
    return rows


def _fees_zh(types: tuple[str, ...]) -> str:
    """(西药费 + 中成药费 + 中药饮片费) for a cost category's item types."""
    names = " + ".join(ITEM_TYPE_ZH[t] for t in types)
    return f"({names})" if len(types) > 1 else names


def _structure_rows() -> list[Row]:
    rows: list[Row] = []
    for number, (suffix, _, people) in enumerate(INSURANCE_GROUPS, start=1):
        for index, (category, name, types) in enumerate(COST_CATEGORIES):
            rows.append(
                Blank(
                    f"51.{number} {people}" if index == 0 else "",
                    f"{name}占比",
                    f"share_{category}_{suffix}",
                    Kind.PERCENT,
                    f"{_fees_zh(types)} ÷ 该组住院患者全部收费明细金额 × 100",
                )
            )
    return rows


def form_rows() -> list[Row]:
    """Every section and blank of the form, in the form's order."""
    return [
        *_exam_rows(),
        Section("五、费用数据管理"),
        Blank(
            "45",
            "本期内门(急)诊共计",
            "opd_visits",
            Kind.COUNT,
            "门诊 + 急诊就诊人次（门诊特殊慢性病见第52项）",
        ),
        Blank("", "其中，参保人员", "opd_insured", Kind.COUNT, "参保类型为职工或居民的患者的门(急)诊人次"),
        Blank("", "占门(急)诊总人次的", "opd_insured_share", Kind.PERCENT, "参保人次 ÷ 门(急)诊人次 × 100"),
        Blank("46", "本期住院共计", "ipd_stays", Kind.COUNT, "本期结算（出院）的住院人次"),
        Blank("", "其中，参保人员", "ipd_insured", Kind.COUNT, "参保类型为职工或居民的患者的住院人次"),
        Blank("", "占住院总人次的", "ipd_insured_share", Kind.PERCENT, "参保人次 ÷ 住院人次 × 100"),
        Blank(
            "47",
            "每百住院率（住院总人次与门(急)诊总人次比率）",
            "inpatients_per_100_visits",
            Kind.PERCENT,
            "住院人次 ÷ 门(急)诊人次 × 100",
        ),
        Blank("48", "医疗机构建筑面积", None, Kind.AREA),
        Blank("", "业务用房面积", None, Kind.AREA),
        Blank("", "批准床位", "beds_approved", Kind.BEDS, "机构基本信息中的批准床位数"),
        Blank("", "最大开放床位", None, Kind.BEDS),
        Blank("", "实际开放床位", "beds_open", Kind.BEDS, "机构基本信息中的实际开放床位数"),
        Blank(
            "49",
            "本期医疗机构床位使用率",
            "bed_occupancy",
            Kind.PERCENT,
            "出院患者占用总床日数 ÷ (实际开放床位 × 期间天数) × 100；期间天数只计有数据的结算月",
        ),
        Blank("", "（参考）出院患者占用总床日数", "patient_days", Kind.DAYS, "本期住院患者住院天数之和"),
        Blank(
            "",
            "（参考）期间天数",
            "calendar_days",
            Kind.DAYS,
            "本期有就诊数据的结算月的日历天数之和（年度只有部分月份有数据时按这些月份计）",
        ),
        Section("50. 本期住院次均费用及次均住院天数情况"),
        *_stay_rows(),
        Section("51. 本期住院医疗总费用的构成情况"),
        *_structure_rows(),
        Section("52. 本期参保患者的门特就医情况"),
        Blank(
            "52.1", "门特总人次", "chronic_visits", Kind.COUNT, "参保患者的门诊特殊慢性病（门特门慢）就诊人次"
        ),
        Blank("52.2", "次均总费用", "chronic_cost_per_visit", Kind.MONEY, "医疗总费用合计 ÷ 门特人次"),
        Blank(
            "52.3",
            "本院门特的次均费用排列前三位的特病种类及次均费用",
            None,
            Kind.TEXT,
            "特病种类按当地门特病种目录，上传数据中无此分类",
        ),
    ]


# Lines the institution signs by hand (签字/盖章), below the footer.
SIGNATURES = ("填报人（签字）", "医疗机构负责人（签字）", "医疗机构（盖章）", "填报日期")

LEVELS = {3: "三级", 2: "二级", 1: "一级", 0: "未定级"}


def title_for(levels: Iterable[int | None]) -> str:
    """The form's title for institutions of these levels (医疗机构等级 1-3; None = not known).

    二级及以下 when every level is 0-2, 三级 when every level is 3, else the neutral title.
    """
    found = set(levels)
    if found and all(level is not None and level <= 2 for level in found):
        return TITLE_LEVEL_2_AND_BELOW
    if found == {3}:
        return TITLE_LEVEL_3
    return TITLE


def level_text(level: int | None, grade: str | None) -> str:
    """医疗机构等级 as written on the form, e.g. 二级甲等."""
    if level is None:
        return ""
    text = LEVELS.get(level, str(level))
    return f"{text}{grade}等" if grade and level else text
