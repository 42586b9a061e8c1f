"""Who is seen where and when in one settlement month (vectorised, per patient chunk).

Clean by construction: one encounter per patient a month, on the patient's own day;
admissions only in the patient's admission months (one in five), never of a
poverty-registered patient (T14); stays shorter than
28 days with LOS uniform on avg_los × (1 ± 35 %); at most one admission a day per
village, institution and settlement month (so ≤ 4 in any two days: no clustering).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sanjianguan.synth.catalog import Catalog
from sanjianguan.synth.patients import CHRONIC_NONE, Patients
from sanjianguan.synth.region import ER_SHARE, IN_SHARE, OUT_SHARE, TIERS, Region, seasonality
from sanjianguan.synth.rng import integers, stream_key, uniform
from sanjianguan.synth.templates import DIALYSIS_PROFILE, LOS_SPREAD, STAYS, VISITS

Ints = npt.NDArray[np.int64]
OUTPATIENT, EMERGENCY, INPATIENT, CHRONIC = 0, 1, 2, 3
ENCOUNTER_TYPES = ("outpatient", "emergency", "inpatient", "chronic_outpatient")
_FIELDS = ("patient", "etype", "inst", "doctor", "profile", "day", "los", "died", "u")
DEATH_RATE = 0.012


@dataclass
class Month:
    """A settlement month: index k from the start, its first day (days since epoch), calendar month."""

    k: int
    year: int
    month: int
    first_day: int
    days: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass
class Encounters:
    """Background encounters of one chunk and month (positions into the chunk's patients)."""

    patient: Ints
    etype: Ints
    inst: Ints
    doctor: Ints
    profile: Ints  # VISITS/CHRONIC index, or STAYS index for inpatients
    day: Ints  # visit day, or discharge day (the settlement day)
    los: Ints  # 0 for visits
    died: npt.NDArray[np.bool_]
    u: npt.NDArray[np.float64]  # a per-encounter uniform for later choices

    def __len__(self) -> int:
        return len(self.patient)

    def subset(self, keep: npt.NDArray[np.bool_]) -> Encounters:
        return Encounters(*(getattr(self, f)[keep] for f in _FIELDS))


def _admitted(seed: int, pat: Patients, month: Month, rate: float) -> npt.NDArray[np.bool_]:
    eligible = (month.k + pat.phase) % 5 == 0
    u = uniform(stream_key(seed, 20, month.k), pat.index)
    age = (month.first_day - pat.birth_day) // 365
    drawn = u < rate * seasonality(month.month)
    # Poverty-registered patients (建档立卡) are not admitted in the background: with no
    # minor diagnosis among the background stays either, no background stay is one of T14's
    # focus stays, so T14 (重点人群住院) finds only its plants at every size and month count.
    admitted: npt.NDArray[np.bool_] = eligible & drawn & (age >= 1) & ~pat.dialysis & ~pat.poverty
    return admitted


def _dead_before(
    seed: int, pat: Patients, month: Month, months: list[Month], rate: float
) -> npt.NDArray[np.bool_]:
    dead = np.zeros(len(pat), dtype=bool)
    for earlier in months[: month.k]:
        died = _admitted(seed, pat, earlier, rate) & (
            uniform(stream_key(seed, 21, earlier.k), pat.index) < DEATH_RATE
        )
        dead |= died
    return dead


def _pick_institution(
    region: Region, county: Ints, u: npt.NDArray[np.float64], shares: dict[str, float]
) -> Ints:
    tiers = [t for t in TIERS if shares[t] > 0]
    tier_idx = np.searchsorted(
        np.cumsum([shares[t] for t in tiers]) / sum(shares[t] for t in tiers), u, side="right"
    )
    tier_idx = np.minimum(tier_idx, len(tiers) - 1)
    sub = (u * 7919.0) % 1.0  # a second uniform from the first: which institution of the tier
    out = np.zeros(len(u), dtype=np.int64)
    for c, tiers_of in enumerate(region.tier_insts):
        for t, tier in enumerate(tiers):
            mask = (county == c) & (tier_idx == t)
            if not mask.any():
                continue
            options = tiers_of[tier] or tiers_of["l2"] or tiers_of["l3"]
            arr = np.array(options, dtype=np.int64)
            out[mask] = arr[np.minimum((sub[mask] * len(arr)).astype(np.int64), len(arr) - 1)]
    return out


def month_encounters(
    seed: int,
    region: Region,
    cat: Catalog,
    pat: Patients,
    month: Month,
    months: list[Month],
    inst_arr: dict[str, Ints],
) -> Encounters:
    """The background encounters settled in `month` for a chunk of patients."""
    rate = region.scale.inpatient_rate
    season = seasonality(month.month)
    key = stream_key(seed, 22, month.k)
    u_visit = uniform(key, pat.index)
    alive = ~_dead_before(seed, pat, month, months, rate)
    inpatient = _admitted(seed, pat, month, rate) & alive
    chronic = ~inpatient & alive & ~pat.dialysis & (pat.chronic != CHRONIC_NONE) & (u_visit < 0.75)
    visit = ~inpatient & ~chronic & alive & ~pat.dialysis & (u_visit < region.scale.outpatient_rate * season)
    emergency = visit & (uniform(stream_key(seed, 23, month.k), pat.index) < 0.1)
    etype = np.full(len(pat), -1, dtype=np.int64)
    etype[visit] = OUTPATIENT
    etype[emergency] = EMERGENCY
    etype[chronic] = CHRONIC
    etype[inpatient] = INPATIENT
    who = np.flatnonzero(etype >= 0)
    etype = etype[who]
    u_inst = uniform(stream_key(seed, 24, month.k), pat.index[who])
    county = pat.county[who]
    inst = np.zeros(len(who), dtype=np.int64)
    for t, shares in (
        (OUTPATIENT, OUT_SHARE),
        (CHRONIC, OUT_SHARE),
        (EMERGENCY, ER_SHARE),
        (INPATIENT, IN_SHARE),
    ):
        m = etype == t
        inst[m] = _pick_institution(region, county[m], u_inst[m], shares)
    level = inst_arr["level"][inst]
    u_prof = uniform(stream_key(seed, 25, month.k), pat.index[who])
    profile = _profiles(etype, level, pat, who, u_prof, month)
    day = month.first_day + pat.dom[who] - 1
    los = _los(cat, seed, month, pat.index[who], etype, profile)
    died = (etype == INPATIENT) & (uniform(stream_key(seed, 21, month.k), pat.index[who]) < DEATH_RATE)
    u_doc = uniform(stream_key(seed, 26, month.k), pat.index[who])
    doctor = inst_arr["doctor_first"][inst] + np.minimum(
        (u_doc * inst_arr["doctors"][inst]).astype(np.int64), inst_arr["doctors"][inst] - 1
    )
    enc = Encounters(
        who,
        etype,
        inst,
        doctor,
        profile,
        day,
        los,
        died,
        uniform(stream_key(seed, 27, month.k), pat.index[who]),
    )
    return _cap_clusters(enc, pat)


def _profiles(
    etype: Ints, level: Ints, pat: Patients, who: Ints, u: npt.NDArray[np.float64], month: Month
) -> Ints:
    season = seasonality(month.month)
    profile = np.zeros(len(who), dtype=np.int64)
    # Visits: respiratory profiles weigh more in winter.
    vw = np.array([v.weight * (season if v.respiratory else 1.0) for v in VISITS])
    vis = (etype == OUTPATIENT) | (etype == EMERGENCY)
    profile[vis] = np.minimum(np.searchsorted(np.cumsum(vw) / vw.sum(), u[vis], side="right"), len(vw) - 1)
    chr_ = etype == CHRONIC
    profile[chr_] = pat.chronic[who[chr_]] - 1
    sex = pat.sex[who]
    age = (month.first_day - pat.birth_day[who]) // 365
    for lvl in (1, 2, 3):
        m = (etype == INPATIENT) & (level == lvl)
        if not m.any():
            continue
        allowed = [i for i, s in enumerate(STAYS) if lvl in s.levels]
        w = np.array([STAYS[i].weight * (season if STAYS[i].respiratory else 1.0) for i in allowed])
        pick = np.array(allowed)[
            np.minimum(np.searchsorted(np.cumsum(w) / w.sum(), u[m], side="right"), len(w) - 1)
        ]
        # A profile restricted by sex or age falls back to the first (unrestricted) one.
        ok = np.array([True] * len(pick))
        for i, s in enumerate(STAYS):
            sel = pick == i
            if s.sex:
                ok[sel] &= sex[m][sel] == int(s.sex)
            ok[sel] &= (age[m][sel] >= s.age[0]) & (age[m][sel] <= s.age[1])
        profile[m] = np.where(ok, pick, 0)
    return profile


def los_bounds(cat: Catalog, drg: str) -> tuple[int, int]:
    """Background LOS range of a DRG: avg_los × (1 ± spread), at least 4 days."""
    avg = float(next(r["avg_los"] for r in cat.drg if r["drg_code"] == drg))
    lo = max(4, round(avg * (1 - LOS_SPREAD)))
    hi = max(lo + 3, round(avg * (1 + LOS_SPREAD)))
    return lo, min(hi, int(2 * avg), 27)


def _los(cat: Catalog, seed: int, month: Month, pidx: Ints, etype: Ints, profile: Ints) -> Ints:
    los = np.zeros(len(pidx), dtype=np.int64)
    key = stream_key(seed, 28, month.k)
    for i, s in enumerate(STAYS):
        m = (etype == INPATIENT) & (profile == i)
        if m.any():
            lo, hi = los_bounds(cat, s.drg)
            los[m] = integers(key, pidx[m], lo, hi + 1)
    return los


def _cap_clusters(enc: Encounters, pat: Patients) -> Encounters:
    """Keep at most one admission per village, institution and admission day."""
    inp = np.flatnonzero(enc.etype == INPATIENT)
    admit = enc.day[inp] - enc.los[inp]
    village = pat.village[enc.patient[inp]]
    order = np.lexsort((enc.patient[inp], admit, enc.inst[inp], village))
    v, i, a = village[order], enc.inst[inp][order], admit[order]
    dup = np.zeros(len(order), dtype=bool)
    dup[1:] = (v[1:] == v[:-1]) & (i[1:] == i[:-1]) & (a[1:] == a[:-1])
    drop = np.zeros(len(enc), dtype=bool)
    drop[inp[order[dup]]] = True
    keep = ~drop
    return Encounters(
        *(
            getattr(enc, f)[keep]
            for f in ("patient", "etype", "inst", "doctor", "profile", "day", "los", "died", "u")
        )
    )


def dialysis_sessions(
    seed: int, region: Region, pat: Patients, month: Month, inst_arr: dict[str, Ints], months: list[Month]
) -> Encounters:
    """Haemodialysis patients: 3 sessions a week (Mon/Wed/Fri or Tue/Thu/Sat) at one institution."""
    who = np.flatnonzero(pat.dialysis)
    days = np.arange(month.first_day, month.first_day + month.days, dtype=np.int64)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    slot = pat.phase[who] % 2
    sess_p, sess_d = [], []
    for s, wds in ((0, (0, 2, 4)), (1, (1, 3, 5))):
        pts = who[slot == s]
        ds = days[np.isin(weekday, wds)]
        sess_p.append(np.repeat(pts, len(ds)))
        sess_d.append(np.tile(ds, len(pts)))
    p = np.concatenate(sess_p)
    d = np.concatenate(sess_d)
    order = np.lexsort((d, p))
    p, d = p[order], d[order]
    county = pat.county[p]
    u = uniform(stream_key(seed, 29), pat.index[p])  # per patient: the same centre every session
    inst = _pick_institution(region, county, u, {"l3": 0.4, "l2": 0.6, "l1": 0.0, "l0": 0.0})
    doc_u = uniform(stream_key(seed, 30), pat.index[p])
    doctor = inst_arr["doctor_first"][inst] + np.minimum(
        (doc_u * inst_arr["doctors"][inst]).astype(np.int64), inst_arr["doctors"][inst] - 1
    )
    n = len(p)
    return Encounters(
        p,
        np.full(n, CHRONIC),
        inst,
        doctor,
        np.full(n, DIALYSIS_PROFILE),
        d,
        np.zeros(n, np.int64),
        np.zeros(n, dtype=bool),
        uniform(stream_key(seed, 31, month.k), np.arange(n) + pat.index[0] * 16),
    )


def concat(a: Encounters, b: Encounters) -> Encounters:
    return Encounters(
        *(
            np.concatenate([getattr(a, f), getattr(b, f)])
            for f in ("patient", "etype", "inst", "doctor", "profile", "day", "los", "died", "u")
        )
    )
