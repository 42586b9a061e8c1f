"""Clinical templates of the background: what a visit or a stay of each kind contains.

Every template is written to respect the sample KB's limits (indications, levels,
routes, daily doses, payable days, settings, distinct ingredients, no includes,
excludes or incompatible pairs), so that the background is clean by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

# Item codes by role.
OP_CONSULT = "001102000010000"  # 普通门诊诊查费
ER_CONSULT = "001102000030000"  # 急诊诊查费
IP_CONSULT = "001102000050000"  # 住院诊查费 (the daily clinical charge of a stay)
BED = "001109000010000"  # 普通病房床位费
ICU_BED = "001109000030000"
NURSING2 = "001201000040000"  # Ⅱ级护理
NURSING1 = "001201000030000"
IV = "001204000060000"  # 静脉输液
IV_SET = "C0202010100100103015"  # 一次性使用输液器
ECG = "003107010010000"
DR = "002101020150000"
CT = "002103000010000"
CT_ENHANCED = "002103000020000"
MRI = "002102000010000"
US = "002203000020000"
ECHO = "002206000010000"
FETAL = "003112010260000"
CBC = "002501010150000"
URINE = "002501020010000"
GLUCOSE = "002503020010000"
HBA1C = "002503020030000"
ANESTHESIA = "003330000010000"
DIALYSIS = "003110000060000"
DIALYSER = "C0701010100100103123"
OXYGEN = "003106070010000"
NEBULISER = "003106070020000"
MASSAGE = "004500000020000"
ACUPUNCTURE = "004300000010000"
STENT = "C0313030100100206390"
HIP = "C0314010100101102357"
STAPLER = "C0206010200100504021"
MASK = "C0206020100100104418"

ADMISSION_LABS = (
    CBC,
    URINE,
    GLUCOSE,
    "002503040010000",
    "002503040020000",
    "002503070020000",
    "002503050070000",
)
# Optional labs whose on/off pattern gives every stay of a diagnosis at an
# institution in a month its own item set (no template billing in the background).
SIGNATURE_LABS = (
    "002503070010000",
    "002503070050000",
    "002503050080000",
    "002503050010000",
    "002503050020000",
    "002503050030000",
    "002503030010000",
    "002503030020000",
    "002503040030000",
    "002503040040000",
    "002503080010000",
    "002502010010000",
    "002502010040000",
    "002504030150000",
)


@dataclass(frozen=True)
class Dose:
    """A drug as prescribed: dose per time, unit, route, times per day, units charged per day."""

    code: str
    dose: str
    unit: str
    route: str
    times: int
    units_per_day: int
    course: int = 7  # inpatient: days charged from admission (≤ max_days)


DOSES = {
    d.code: d
    for d in (
        Dose("XJ01CAA040A001010100120", "500", "mg", "口服", 3, 6),
        Dose("XJ01DCT086B001010101905", "1500", "mg", "静脉滴注", 2, 4, 6),
        Dose("XJ01DDT084B001010103655", "3000", "mg", "静脉滴注", 2, 4, 7),
        Dose("XJ01MAZ064A001010102283", "500", "mg", "口服", 1, 1),
        Dose("XJ01MAZ064B002010100352", "500", "mg", "静脉滴注", 1, 1),
        Dose("XJ01DHM027B001010100389", "1000", "mg", "静脉滴注", 3, 3),
        Dose("XR05CBA115A001010100526", "30", "mg", "口服", 3, 3),
        Dose("XR05CBA115B002010100148", "30", "mg", "静脉滴注", 2, 2, 5),
        Dose("XR03DAD204B002010101906", "300", "mg", "静脉滴注", 1, 3, 6),
        Dose("XA02BCA211E001010101445", "20", "mg", "口服", 2, 2, 5),
        Dose("XA02ADL061A001010102038", "1000", "mg", "口服", 3, 6),
        Dose("XC08CAA138A001010101549", "5", "mg", "口服", 1, 1),
        Dose("XC09CAE052A001010100325", "150", "mg", "口服", 1, 1),
        Dose("XA10BAE054A001010101545", "500", "mg", "口服", 3, 3, 7),
        Dose("XA10ABY066B002010102267", "8", "IU", "皮下注射", 3, 1, 7),
        Dose("XC10AAA103A001010101553", "20", "mg", "口服", 1, 1, 7),
        Dose("XN07XXD130E002010102774", "200", "mg", "口服", 3, 6, 7),
        Dose("XB01AXA223B002010100156", "80", "mg", "静脉滴注", 2, 2, 14),
        Dose("XC03CAF011B002010100225", "20", "mg", "静脉注射", 2, 2, 5),
        Dose("XC01DAD043A001010101549", "20", "mg", "口服", 2, 2, 7),
        Dose("XB01ACA056A012010100157", "100", "mg", "口服", 1, 1, 7),
        Dose("XB01ACL079A001010100159", "75", "mg", "口服", 1, 1, 7),
        Dose("XN02BEA163A001010100174", "500", "mg", "口服", 3, 3, 3),
        Dose("XB05BAF150B002010100269", "250", "ml", "静脉滴注", 1, 1, 5),
        Dose("XB05XAL075B002010100350", "1000", "mg", "静脉滴注", 1, 1, 3),
        Dose("XJ01DDT070B001010101843", "2000", "mg", "静脉滴注", 1, 2, 6),
        Dose("XB01ABD170B002010100280", "4000", "IU", "皮下注射", 1, 1, 7),
        Dose("ZA05CAC0029010102312", "50", "ml", "静脉滴注", 1, 5, 7),
        Dose("ZA07AAA0061010100166", "1", "丸", "口服", 1, 1, 3),
        Dose("ZA01CAX0351010101453", "2", "袋", "口服", 3, 6),
        Dose("ZA04BAL0011010100159", "4", "粒", "口服", 3, 12),
        Dose("ZD03AAA0043010100166", "1", "丸", "口服", 2, 2),
        Dose("XG04CBA088A001010101467", "5", "mg", "口服", 2, 2),
        Dose("ZA12HAX0869010101267", "400", "mg", "静脉滴注", 1, 2, 7),
    )
}
IV_ROUTES = ("静脉滴注", "静脉注射")


@dataclass(frozen=True)
class VisitProfile:
    """An outpatient/emergency diagnosis with its drugs and optional lab/exam."""

    dx: str
    dept: str
    weight: float
    drugs: tuple[str, ...]
    child_drugs: tuple[str, ...] = ()
    labs: tuple[str, ...] = ()
    exam: str = ""
    treatment: str = ""
    respiratory: bool = False
    extra: tuple[str, ...] = ()  # always charged, one each (e.g. the dialyser of a session)
    consult: bool = True


VISITS = (
    VisitProfile(
        "J06.900",
        "内科",
        30,
        ("ZA04BAL0011010100159", "XN02BEA163A001010100174"),
        ("ZA01CAX0351010101453",),
        respiratory=True,
    ),
    VisitProfile(
        "J20.900",
        "内科",
        14,
        ("XJ01CAA040A001010100120", "XR05CBA115A001010100526"),
        labs=(CBC,),
        exam=DR,
        respiratory=True,
    ),
    VisitProfile("K29.700", "消化内科", 14, ("XA02BCA211E001010101445", "XA02ADL061A001010102038")),
    VisitProfile("M54.500", "中医科", 10, ("XN02BEA163A001010100174",), treatment=MASSAGE),
    VisitProfile("I10.x00", "心血管内科", 12, ("XC08CAA138A001010101549",), exam=ECG),
    VisitProfile("R51.x00", "神经内科", 6, ("XN02BEA163A001010100174",), exam=CT),
)
# 门慢: monthly refills with a 30-day supply.
CHRONIC = (
    VisitProfile("I10.x00", "心血管内科", 1, ("XC08CAA138A001010101549", "XC09CAE052A001010100325")),
    VisitProfile("E11.900", "内分泌科", 1, ("XA10BAE054A001010101545",), labs=(HBA1C, GLUCOSE)),
    # A haemodialysis session (门特): one chronic-outpatient encounter per session.
    VisitProfile("N18.500", "肾内科", 0, (), treatment=DIALYSIS, extra=(DIALYSER,), consult=False),
)
DIALYSIS_PROFILE = 2


@dataclass(frozen=True)
class Surgery:
    item: str
    icd9: str
    level: int
    material: str = ""


@dataclass(frozen=True)
class StayProfile:
    """A DRG group's typical stay."""

    drg: str
    dx: str
    dept: str
    weight: float
    levels: tuple[int, ...]
    drugs: tuple[str, ...]
    exams: tuple[str, ...]
    other_dx: str = ""
    daily: tuple[tuple[str, int], ...] = ()
    surgery: Surgery | None = None
    sex: str = ""
    age: tuple[int, int] = (1, 95)
    respiratory: bool = False


STAYS = (
    StayProfile(
        "ES35",
        "J18.900",
        "呼吸内科",
        30,
        (1, 2, 3),
        ("XJ01DCT086B001010101905", "XR05CBA115B002010100148"),
        (DR,),
        respiratory=True,
    ),
    StayProfile(
        "ES31",
        "J18.900",
        "呼吸内科",
        6,
        (2, 3),
        ("XJ01DDT084B001010103655", "XR05CBA115B002010100148", "XB05BAF150B002010100269"),
        (DR, ECG),
        other_dx="J96.000",
        daily=((OXYGEN, 8),),
        respiratory=True,
    ),
    StayProfile(
        "ET25",
        "J44.100",
        "呼吸内科",
        10,
        (1, 2, 3),
        ("XR03DAD204B002010101906", "XJ01DCT086B001010101905"),
        (DR,),
        daily=((NEBULISER, 2),),
        age=(40, 95),
        respiratory=True,
    ),
    StayProfile(
        "BR25",
        "I63.900",
        "神经内科",
        10,
        (2, 3),
        ("XN07XXD130E002010102774", "ZA12HAX0869010101267", "XC10AAA103A001010101553"),
        (CT, ECG),
        age=(40, 95),
    ),
    StayProfile(
        "FR25",
        "I50.900",
        "心血管内科",
        7,
        (2, 3),
        ("XC03CAF011B002010100225", "XC01DAD043A001010101549", "XB01ABD170B002010100280"),
        (ECHO, ECG),
        age=(40, 95),
    ),
    StayProfile(
        "KS15",
        "E11.900",
        "内分泌科",
        8,
        (1, 2, 3),
        ("XA10ABY066B002010102267", "XA10BAE054A001010101545", "XC10AAA103A001010101553"),
        (ECG,),
        age=(20, 95),
    ),
    StayProfile(
        "GD29",
        "K35.800",
        "普外科",
        6,
        (2, 3),
        ("XJ01DCT086B001010101905", "XN02BEA163A001010100174"),
        (US,),
        surgery=Surgery("003310030220000", "47.0900", 2),
        age=(6, 80),
    ),
    StayProfile(
        "HC25",
        "K80.100",
        "普外科",
        5,
        (2, 3),
        ("XJ01DCT086B001010101905", "XA02BCA211E001010101445"),
        (US,),
        surgery=Surgery("003310050040000", "51.2300", 3, STAPLER),
        age=(20, 85),
    ),
    StayProfile(
        "OB19",
        "O82.000",
        "妇产科",
        6,
        (2, 3),
        ("XJ01DCT086B001010101905", "XN02BEA163A001010100174"),
        (US, FETAL),
        surgery=Surgery("003314000130000", "74.1x00", 3),
        sex="2",
        age=(20, 40),
    ),
    StayProfile(
        "IC29",
        "M16.100",
        "骨科",
        2,
        (3,),
        ("XJ01DCT086B001010101905", "XB01ABD170B002010100280", "XN02BEA163A001010100174"),
        (DR, ECG),
        surgery=Surgery("003315090090000", "81.5100", 4, HIP),
        age=(50, 90),
    ),
    StayProfile(
        "FM19",
        "I25.103",
        "心血管内科",
        3,
        (3,),
        ("XB01ACA056A012010100157", "XB01ACL079A001010100159", "XC10AAA103A001010101553"),
        (ECHO, ECG),
        surgery=Surgery("003205000030000", "36.0600", 4, STENT),
        age=(40, 90),
    ),
)
LOS_SPREAD = 0.35  # background LOS is uniform on avg_los × (1 ± spread): bounded, so no outliers
