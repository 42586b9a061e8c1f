"""The README.txt that travels with a generated data set."""

from __future__ import annotations

README = """\
合成区域数据 / Synthetic region data set
========================================

Scale: {scale}   Months: {months} (from {start})   Seed: {seed}
Region: 宜宾市 ({city}) with {counties}; {institutions} institutions, {staff} staff.

Layout
  ref/                 the knowledge base used (contract reference format): load with `sjg kb load ref`
  batches/YYYY-MM/     one multi-institution batch per settlement month: manifest.json and one
                       file per contract table ({fmt}); institutions, staff and patients travel in
                       every batch (patients: those seen in that month)
  truth.csv            rule_id,key,kind — planted cases (positive) and near misses (negative)

Keys in truth.csv: encounter_id for most rules; patient_id for C12, T06, T13;
doctor_id|YYYY-MM-DD for T09. A rule engine should find every positive and no negative;
the background is built to be clean for every level-1 rule, so any other hit is a
false positive of the engine (or a defect of the generator: please report it).

Background construction
  - each patient has a fixed day of the month: at most one encounter a month (dialysis
    patients: one chronic-outpatient encounter per session, three a week);
  - admissions only one month in five per patient; stays shorter than 28 days; LOS uniform
    on the DRG's avg_los ± 35 %; costs bounded, so no stay crosses the DRG benchmark limits;
  - at most one admission a day per village and institution; doctors sized to stay far
    below 100 visits a day; prices ≤ the cap of the institution's level;
  - drugs, doses, routes, indications, levels and payable days follow the KB; every exam
    has a report, every consent-requiring item a consent, every surgery a procedure;
  - optional admission labs give every stay of a diagnosis at an institution in a month
    its own item set (no template billing).

{planting}

Rows written: {rows}
"""

PLANTED_ONCE = """\
Planted cases sit in the last month ({target}); their look-back events (E01, T01, T06,
T10, D09) in the month before when there is one. S01/S02 need a benchmark of ≥ 30 stays
in earlier months, so they are planted only when months ≥ 2 ({s12})."""

PLANTED_AT_RATE = """\
Planted at a hit rate of {rate}: the plants are repeated, each in a month and at
institutions drawn from the seed, until about {rate} of each month's encounters fall
under some rule (an encounter-keyed hit counts its encounter; a patient or doctor-day
once); look-back events lie in earlier months. Plants placed: {placed} in all
({kinds} kinds). S01/S02 lie in the last month ({target}) only ({s12})."""
