"""The synthetic region: scales, counties, institutions and their staff (机构与人员)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sanjianguan.errors import ConfigError
from sanjianguan.synth.rng import stream_key, uniform

CITY_CODE = "511500"
# County-level divisions of the city (real-looking 6-digit codes, 行政区划代码).
COUNTIES = (
    ("511502", "翠屏区"),
    ("511503", "南溪区"),
    ("511504", "叙州区"),
    ("511523", "江安县"),
    ("511524", "长宁县"),
    ("511525", "高县"),
    ("511526", "珙县"),
    ("511527", "筠连县"),
    ("511528", "兴文县"),
    ("511529", "屏山县"),
)


@dataclass(frozen=True)
class Scale:
    """Size and rates of a generated region."""

    name: str
    population: int
    counties: int
    village_size: int
    outpatient_rate: float  # share of patients with a visit in a month (before seasonality)
    inpatient_rate: float  # share of admission-eligible patients admitted (eligible 1 month in 5)
    chunk: int = 200_000  # patients generated together (bounded memory)
    # Institutions per tier over the region (l3, l2, l1, l0); None: the preset's (TIER_COUNTS).
    tiers: tuple[int, int, int, int] | None = None


SCALES = {
    "tiny": Scale("tiny", 6_000, 2, 400, 0.08, 0.12),
    "county": Scale("county", 120_000, 3, 800, 0.12, 0.06),
    "city": Scale("city", 16_000_000, 10, 1_600, 0.35, 0.08, chunk=400_000),
}

# (level, category, grade, ownership, beds, name pattern)
TIER_NAMES = {
    "l3": (
        (3, "综合医院", "甲", "公立", 1200, "{city}第{n}人民医院"),
        (3, "中医医院", "甲", "公立", 800, "{city}中医医院"),
    ),
    "l2": (
        (2, "综合医院", "甲", "公立", 500, "{county}人民医院"),
        (2, "中医医院", "乙", "公立", 260, "{county}中医医院"),
        (2, "妇幼保健院", "乙", "公立", 120, "{county}妇幼保健院"),
    ),
    "l1": (
        (1, "乡镇卫生院", "", "公立", 40, "{county}{town}镇卫生院"),
        (1, "社区卫生服务中心", "", "公立", 20, "{county}{town}社区卫生服务中心"),
    ),
    "l0": (
        (0, "诊所", "", "民营", 0, "{county}{town}诊所"),
        (0, "村卫生室", "", "公立", 0, "{county}{town}村卫生室"),
    ),
}
TOWNS = (
    "南岸",
    "白沙",
    "李庄",
    "菜坝",
    "宋家",
    "金坪",
    "安阜",
    "思坡",
    "双龙",
    "牟坪",
    "高场",
    "邱场",
    "沙坪",
    "永兴",
    "红桥",
    "大塔",
    "仙临",
    "罗龙",
    "留宾",
    "特兴",
)
# Per county and scale: institutions per tier.
TIER_COUNTS = {
    "tiny": {"l3": 1, "l2": 1, "l1": 2, "l0": 1},
    "county": {"l3": 1, "l2": 2, "l1": 6, "l0": 6},
    "city": {"l3": 2, "l2": 3, "l1": 24, "l0": 60},
}
# Share of visits (outpatient, emergency, inpatient) by tier; emergency and inpatient
# care need a hospital or a township health centre.
OUT_SHARE = {"l3": 0.2, "l2": 0.25, "l1": 0.35, "l0": 0.2}
ER_SHARE = {"l3": 0.5, "l2": 0.5, "l1": 0.0, "l0": 0.0}
IN_SHARE = {"l3": 0.45, "l2": 0.4, "l1": 0.15, "l0": 0.0}
TIERS = ("l3", "l2", "l1", "l0")
SEASON_PEAK = 1.3  # winter respiratory peak (January) relative to the mean


def seasonality(month: int) -> float:
    """Visit-rate factor of a calendar month (1-12): peak in January, trough in July."""
    return 1.0 + (SEASON_PEAK - 1.0) * math.cos(2 * math.pi * (month - 1) / 12)


@dataclass
class Institution:
    index: int
    institution_id: str
    name: str
    region_code: str
    county: int
    tier: str
    level: int
    category: str
    grade: str
    ownership: str
    beds: int
    price_factor_pct: int  # background prices = cap × factor (≤ 100 %)
    doctor_first: int = 0
    doctors: int = 0
    surgeon_first: int = 0
    surgeons: int = 0


@dataclass
class Staff:
    staff_id: str
    institution: int
    role: str
    name: str
    sex: str
    department: str
    title: str
    antibiotic: str | None
    surgery: int | None


@dataclass
class Region:
    """Institutions, staff and the lookup arrays the vectorised generator uses."""

    scale: Scale
    institutions: list[Institution]
    staff: list[Staff]
    # tier_insts[county][tier] -> institution indexes
    tier_insts: list[dict[str, list[int]]] = field(default_factory=list)

    @property
    def counties(self) -> list[tuple[str, str]]:
        return list(COUNTIES[: self.scale.counties])

    def arrays(self) -> dict[str, npt.NDArray[np.int64]]:
        """Per-institution integer attributes as arrays."""
        inst = self.institutions
        return {
            "level": np.array([i.level for i in inst], dtype=np.int64),
            "price_factor": np.array([i.price_factor_pct for i in inst], dtype=np.int64),
            "doctor_first": np.array([i.doctor_first for i in inst], dtype=np.int64),
            "doctors": np.array([i.doctors for i in inst], dtype=np.int64),
            "surgeon_first": np.array([i.surgeon_first for i in inst], dtype=np.int64),
            "surgeons": np.array([i.surgeons for i in inst], dtype=np.int64),
        }


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥建华文辉力明永健世广志义兴良海山仁波宁"
    "贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思"
    "群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰"
    "士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
)


def _name(seed: int, k: int) -> str:
    u = uniform(stream_key(seed, 71), np.array([k, k + 7919, k + 104729]))
    return (
        SURNAMES[int(u[0] * len(SURNAMES))]
        + GIVEN[int(u[1] * len(GIVEN))]
        + (GIVEN[int(u[2] * len(GIVEN))] if u[2] < 0.7 else "")
    )


def region_tiers(scale: Scale) -> dict[str, int]:
    """Institutions per tier over the whole region."""
    if scale.tiers is not None:
        return dict(zip(TIERS, scale.tiers, strict=True))
    per = TIER_COUNTS[scale.name]
    # Smaller regions: tertiary hospitals stand in the central district only (at least
    # a third of the counties' worth beyond tiny); a city has them in every county too.
    l3 = per["l3"] * scale.counties if scale.name == "city" else per["l3"]
    if scale.name != "tiny":
        l3 += max(0, scale.counties // 3 + 1 - per["l3"])
    return {"l3": l3, **{t: per[t] * scale.counties for t in TIERS if t != "l3"}}


def county_layout(scale: Scale) -> list[dict[str, int]]:
    """Institutions per county and tier: tertiary hospitals first in the central district
    (up to a third of the counties' worth), the rest of every tier spread over the counties."""
    total = region_tiers(scale)
    n = scale.counties
    layout = [dict.fromkeys(TIERS, 0) for _ in range(n)]
    central = min(total["l3"], n // 3 + 1)
    layout[0]["l3"] = central
    rest = total["l3"] - central
    others = list(range(1, n)) or [0]
    for i, c in enumerate(others):
        layout[c]["l3"] += rest // len(others) + (i < rest % len(others))
    for tier in TIERS[1:]:
        for c in range(n):
            layout[c][tier] = total[tier] // n + (c < total[tier] % n)
    return layout


def preset_size(name: str) -> int:
    """Institutions of a preset scale."""
    return sum(region_tiers(SCALES[name]).values())


def sized(institutions: int) -> Scale:
    """A region of `institutions` institutions, between the tiny and the city presets.

    Population, counties, rates and the share of each tier are interpolated between the
    two presets around that size (geometrically in size), so that a size between county
    and city has the proportions of hospitals, health centres and clinics the presets
    have; a preset's own size gives that preset.
    """
    sizes = sorted((preset_size(name), name) for name in SCALES)
    low, high = sizes[0][0], sizes[-1][0]
    if not low <= institutions <= high:
        raise ConfigError(
            f"--institutions 应在 {low}（tiny）与 {high}（city）之间 / must be between {low} (tiny) "
            f"and {high} (city), county is {preset_size('county')}: {institutions}"
        )
    for size, name in sizes:
        if size == institutions:
            return SCALES[name]
    (n0, a_name), (n1, b_name) = next(
        pair for pair in itertools.pairwise(sizes) if pair[0][0] < institutions < pair[1][0]
    )
    a, b = SCALES[a_name], SCALES[b_name]
    t = math.log(institutions / n0) / math.log(n1 / n0)

    def geo(x: float, y: float) -> float:
        return float(x * (y / x) ** t)

    counties = min(round(a.counties + t * (b.counties - a.counties)), (institutions - 1) // 3)
    ta, tb = region_tiers(a), region_tiers(b)
    share = {k: (1 - t) * ta[k] / n0 + t * tb[k] / n1 for k in TIERS}
    # Largest remainder, then at least one hospital (l2), health centre and clinic a county.
    tiers = {k: math.floor(share[k] * institutions) for k in TIERS}
    for k in sorted(TIERS, key=lambda k: share[k] * institutions - tiers[k], reverse=True):
        if sum(tiers.values()) < institutions:
            tiers[k] += 1
    tiers["l3"] = max(1, tiers["l3"])
    for k in ("l2", "l1", "l0"):
        tiers[k] = max(counties, tiers[k])
    while sum(tiers.values()) > institutions:
        big = max(TIERS, key=lambda k: tiers[k] - (counties if k != "l3" else 1))
        tiers[big] -= 1
    population = round(geo(a.population, b.population), -3)
    return Scale(
        f"n{institutions}",
        int(population),
        counties,
        int(round(geo(a.village_size, b.village_size), -2)),
        a.outpatient_rate + t * (b.outpatient_rate - a.outpatient_rate),
        a.inpatient_rate + t * (b.inpatient_rate - a.inpatient_rate),
        chunk=a.chunk if population <= 4_000_000 else b.chunk,
        tiers=(tiers["l3"], tiers["l2"], tiers["l1"], tiers["l0"]),
    )


def build_region(scale: Scale, seed: int) -> Region:
    """Institutions by county and tier, then staff sized to the expected workload."""
    institutions: list[Institution] = []
    tier_insts: list[dict[str, list[int]]] = []
    counties = COUNTIES[: scale.counties]
    per_county_pop = scale.population / scale.counties
    key = stream_key(seed, 70)
    layout = county_layout(scale)
    for c, (code, cname) in enumerate(counties):
        tiers: dict[str, list[int]] = {t: [] for t in TIERS}
        for tier in TIERS:
            for n in range(layout[c][tier]):
                proto = TIER_NAMES[tier][n % len(TIER_NAMES[tier])]
                level, category, grade, ownership, beds, pattern = proto
                idx = len(institutions)
                name = pattern.format(
                    city="宜宾市",
                    n="一二三四五六七八九十"[n % 10],
                    county=cname,
                    town=TOWNS[n % len(TOWNS)] + ("" if n < len(TOWNS) else str(n // len(TOWNS))),
                )
                factor = (100, 95, 90)[int(uniform(key, idx)[()] * 3)]
                institutions.append(
                    Institution(
                        idx,
                        f"H{code}{idx + 1:05d}",
                        name,
                        code,
                        c,
                        tier,
                        level,
                        category,
                        grade,
                        ownership,
                        beds,
                        factor,
                    )
                )
                tiers[tier].append(idx)
        tier_insts.append(tiers)
    # Fall back to the central district's tertiary hospitals for counties without one.
    for tiers in tier_insts:
        if not tiers["l3"]:
            tiers["l3"] = list(tier_insts[0]["l3"])
    staff = _staff(scale, seed, institutions, tier_insts, per_county_pop)
    return Region(scale, institutions, staff, tier_insts)


def _expected_daily_visits(
    scale: Scale, inst: Institution, tier_insts: list[dict[str, list[int]]], per_county_pop: float
) -> float:
    served = sum(1 for tiers in tier_insts if inst.index in tiers[inst.tier])
    n_tier = len(tier_insts[inst.county][inst.tier]) or 1
    share = OUT_SHARE[inst.tier] + 0.1 * ER_SHARE[inst.tier]
    monthly = per_county_pop * scale.outpatient_rate * SEASON_PEAK * share * max(served, 1) / n_tier
    return monthly / 28


def _staff(
    scale: Scale,
    seed: int,
    institutions: list[Institution],
    tier_insts: list[dict[str, list[int]]],
    per_county_pop: float,
) -> list[Staff]:
    staff: list[Staff] = []
    key = stream_key(seed, 72)
    for inst in institutions:
        daily = _expected_daily_visits(scale, inst, tier_insts, per_county_pop)
        # ≤ 30 visits per doctor-day on average keeps the busiest day far below 100 (T09).
        doctors = max(3, math.ceil(daily / 30) + inst.beds // 12)
        surgeons = max(2, doctors // 8) if inst.level >= 2 else 0
        inst.doctor_first, inst.doctors = len(staff), doctors
        inst.surgeon_first, inst.surgeons = len(staff), surgeons
        for j in range(doctors):
            k = len(staff)
            u = float(uniform(key, k)[()])
            title = (
                ("住院医师", "主治医师", "副主任医师", "主任医师")[min(3, int(u * 4))]
                if inst.level
                else "住院医师"
            )
            if j < surgeons:
                title = "主任医师" if inst.level == 3 else "副主任医师"
            antibiotic = (
                ("限制使用级" if title in ("住院医师", "主治医师") else "特殊使用级")
                if inst.level >= 2
                else "非限制使用级"
            )
            surgery = inst.level + 1 if j < surgeons else (min(2, inst.level) if inst.level >= 2 else None)
            dept = (
                "外科"
                if j < surgeons
                else ("全科医疗科" if inst.level <= 1 else ("内科", "儿科", "急诊科", "中医科")[j % 4])
            )
            staff.append(
                Staff(
                    f"D{k + 1:07d}",
                    inst.index,
                    "doctor",
                    _name(seed, k),
                    "1" if u * 10 % 2 < 1 else "2",
                    dept,
                    title,
                    antibiotic,
                    surgery,
                )
            )
        for role, n, title in (
            ("nurse", max(2, doctors * 6 // 5), "护师"),
            ("pharmacist", 1 + inst.level, "药师"),
            ("technician", 1 + inst.level, "技师"),
        ):
            for _ in range(n):
                k = len(staff)
                staff.append(
                    Staff(
                        f"D{k + 1:07d}",
                        inst.index,
                        role,
                        _name(seed, k),
                        "2" if role == "nurse" else "1",
                        "护理部" if role == "nurse" else "医技科",
                        title,
                        None,
                        None,
                    )
                )
    return staff
