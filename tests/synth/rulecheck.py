# ruff: noqa: E501  (SQL text reads better unwrapped)
"""An independent, compact reading of the level-1 rules in SQL, used to check the generator.

It is deliberately written from rules.md alone (not from the generator) so that it can
catch background rows that a correct engine would flag. All periods are read together,
except where a rule is defined per period (M02, S01-S04).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

TABLES = (
    "institutions",
    "staff",
    "patients",
    "encounters",
    "diagnoses",
    "procedures",
    "fee_items",
    "orders",
    "exam_reports",
    "consents",
)

VIEWS = """
CREATE VIEW e AS SELECT *, CAST(admit_time AS DATE) AS ad, CAST(discharge_time AS DATE) AS dd,
  strftime(COALESCE(settled_at, discharge_time, admit_time), '%Y-%m') AS period FROM encounters;
CREATE VIEW net AS SELECT encounter_id, item_code, sum(quantity) AS q FROM fee_items GROUP BY ALL;
CREATE VIEW f AS SELECT fi.*, CAST(charged_at AS DATE) AS cd FROM fee_items fi
  JOIN net USING (encounter_id, item_code) WHERE net.q > 0;
CREATE VIEW los AS SELECT encounter_id, CASE WHEN dd IS NOT NULL THEN greatest(1, date_diff('day', ad, dd)) END
  AS los FROM e WHERE encounter_type = 'inpatient';
"""

RULES: dict[str, str] = {
    "C01": """SELECT DISTINCT f.encounter_id FROM fee_items f JOIN ref_items r USING (item_code)
        WHERE r.max_per_day IS NOT NULL GROUP BY f.encounter_id, f.item_code, CAST(charged_at AS DATE), r.max_per_day
        HAVING sum(quantity) > r.max_per_day""",
    "C02": """SELECT DISTINCT f.encounter_id FROM f JOIN e USING (encounter_id) JOIN institutions i USING (institution_id)
        JOIN ref_items r USING (item_code) WHERE f.quantity > 0 AND f.unit_price > CASE i.level WHEN 3 THEN
        r.price_cap_l3 WHEN 2 THEN r.price_cap_l2 ELSE r.price_cap_l1 END + 0.01""",
    "C03": """SELECT DISTINCT a.encounter_id FROM (SELECT encounter_id, item_code, CAST(charged_at AS DATE) d
        FROM fee_items GROUP BY ALL HAVING sum(quantity) > 0) a JOIN (SELECT encounter_id, item_code,
        CAST(charged_at AS DATE) d FROM fee_items GROUP BY ALL HAVING sum(quantity) > 0) b USING (encounter_id, d)
        JOIN ref_item_relations r ON r.item_a = a.item_code AND r.item_b = b.item_code AND r.relation = 'includes'""",
    "C04": """SELECT DISTINCT a.encounter_id FROM (SELECT encounter_id, item_code, CAST(charged_at AS DATE) d
        FROM fee_items GROUP BY ALL HAVING sum(quantity) > 0) a JOIN (SELECT encounter_id, item_code,
        CAST(charged_at AS DATE) d FROM fee_items GROUP BY ALL HAVING sum(quantity) > 0) b USING (encounter_id, d)
        JOIN ref_item_relations r ON ((r.item_a = a.item_code AND r.item_b = b.item_code) OR
        (r.item_b = a.item_code AND r.item_a = b.item_code)) AND r.relation = 'excludes'""",
    "C05": """SELECT DISTINCT n.encounter_id FROM net n JOIN ref_items r USING (item_code) JOIN los USING (encounter_id)
        WHERE r.per_day_billing AND n.q > los.los""",
    "C06": """SELECT DISTINCT f.encounter_id FROM f JOIN e USING (encounter_id) JOIN patients p USING (patient_id)
        JOIN ref_items r USING (item_code) WHERE f.quantity > 0 AND r.sex_limit IS NOT NULL AND p.sex IN ('1','2')
        AND p.sex <> r.sex_limit""",
    "C07": """SELECT DISTINCT f.encounter_id FROM f JOIN e USING (encounter_id) JOIN patients p USING (patient_id)
        JOIN ref_items r USING (item_code) WHERE f.quantity > 0 AND (
        date_diff('year', p.birth_date, f.cd) - CASE WHEN strftime(f.cd, '%m%d') < strftime(p.birth_date, '%m%d')
        THEN 1 ELSE 0 END) NOT BETWEEN coalesce(r.age_min, -1) AND coalesce(r.age_max, 999)""",
    "C08": """SELECT DISTINCT f.encounter_id FROM f JOIN e USING (encounter_id) JOIN patients p USING (patient_id)
        WHERE f.quantity > 0 AND (f.cd > e.dd OR f.cd > p.death_date)""",
    "C09": """SELECT DISTINCT o.encounter_id FROM e o JOIN e s ON o.patient_id = s.patient_id AND
        o.institution_id = s.institution_id WHERE o.encounter_type = 'outpatient' AND s.encounter_type = 'inpatient'
        AND o.ad > s.ad AND o.ad < s.dd""",
    "C10": """SELECT DISTINCT f.encounter_id FROM f JOIN e USING (encounter_id) WHERE f.item_type = 'exam' AND f.quantity > 0
        AND e.institution_id IN (SELECT institution_id FROM exam_reports JOIN e USING (encounter_id))
        AND NOT EXISTS (SELECT 1 FROM exam_reports x WHERE x.encounter_id = f.encounter_id AND x.item_code = f.item_code)""",
    "C11": """SELECT DISTINCT n.encounter_id FROM net n JOIN e USING (encounter_id) JOIN ref_items r USING (item_code)
        WHERE n.q > 0 AND ((r.setting = 'inpatient' AND e.encounter_type <> 'inpatient') OR
        (r.setting = 'outpatient' AND e.encounter_type = 'inpatient'))""",
    "C12": """SELECT DISTINCT e.patient_id FROM fee_items f JOIN e USING (encounter_id) JOIN ref_items r USING (item_code)
        WHERE r.freq_limit IS NOT NULL GROUP BY e.patient_id, f.item_code, r.freq_limit,
        CASE r.freq_window WHEN 'day' THEN strftime(charged_at, '%Y-%m-%d') WHEN 'week' THEN strftime(charged_at, '%G-%V')
        WHEN 'month' THEN strftime(charged_at, '%Y-%m') ELSE strftime(charged_at, '%Y') END
        HAVING sum(quantity) > r.freq_limit""",
    "C13": """SELECT DISTINCT f.encounter_id FROM f JOIN e USING (encounter_id) WHERE f.quantity > 0 AND
        date_diff('day', f.cd, CAST(COALESCE(e.settled_at, e.discharge_time, e.admit_time) AS DATE)) > 180""",
    "C14": """SELECT DISTINCT f.encounter_id FROM f JOIN e USING (encounter_id) JOIN institutions i USING (institution_id)
        JOIN ref_items rx ON rx.item_code = f.item_code JOIN exam_reports y ON y.encounter_id = f.encounter_id
        AND y.item_code <> f.item_code JOIN ref_items ry ON ry.item_code = y.item_code
        WHERE f.item_type = 'exam' AND f.quantity > 0
        AND NOT EXISTS (SELECT 1 FROM exam_reports x WHERE x.encounter_id = f.encounter_id AND x.item_code = f.item_code)
        AND list_has_any(list_intersect(string_split(lower(rx.tags), '|'), ['ct', 'mri', 'dr', 'cr', 'us']),
        string_split(lower(ry.tags), '|'))
        AND CASE i.level WHEN 3 THEN ry.price_cap_l3 WHEN 2 THEN ry.price_cap_l2 ELSE ry.price_cap_l1 END < f.unit_price""",
    "D01": """SELECT DISTINCT n.encounter_id FROM net n JOIN ref_items r USING (item_code) WHERE n.q > 0 AND
        r.indication_icd IS NOT NULL AND NOT EXISTS (SELECT 1 FROM diagnoses d WHERE d.encounter_id = n.encounter_id
        AND list_has_any(string_split(r.indication_icd, '|'), [d.icd10_code[1:3], d.icd10_code[1:4], d.icd10_code[1:5]]))""",
    "D02": """SELECT DISTINCT f.encounter_id FROM f JOIN e USING (encounter_id) JOIN institutions i USING (institution_id)
        JOIN ref_items r USING (item_code) WHERE f.quantity > 0 AND i.level < r.min_level""",
    "D03": """SELECT DISTINCT o.encounter_id FROM orders o JOIN ref_items r ON r.item_code = o.drug_code
        WHERE o.dose * o.times_per_day > r.max_daily_dose AND o.dose_unit IN ('mg', 'IU', 'ml', '丸', '袋', '粒')
        AND NOT (o.dose_unit = 'g')""",
    "D04": """SELECT DISTINCT o.encounter_id FROM orders o JOIN e USING (encounter_id) WHERE
        (e.encounter_type = 'outpatient' AND o.days_supply > 7) OR (e.encounter_type = 'chronic_outpatient' AND o.days_supply > 30)""",
    "D05": """SELECT DISTINCT a.encounter_id FROM (SELECT o.*, COALESCE(end_at, start_at + to_days(days_supply),
        e.discharge_time, CAST(e.ad + 1 AS TIMESTAMP)) AS fin, r.ingredient FROM orders o JOIN e USING (encounter_id)
        JOIN ref_items r ON r.item_code = o.drug_code WHERE r.ingredient IS NOT NULL) a JOIN (SELECT o.*,
        COALESCE(end_at, start_at + to_days(days_supply), e.discharge_time, CAST(e.ad + 1 AS TIMESTAMP)) AS fin,
        r.ingredient FROM orders o JOIN e USING (encounter_id) JOIN ref_items r ON r.item_code = o.drug_code) b
        ON a.encounter_id = b.encounter_id AND a.ingredient = b.ingredient AND a.order_id < b.order_id
        WHERE a.start_at < b.fin AND b.start_at < a.fin""",
    "D06": """SELECT DISTINCT o.encounter_id FROM orders o JOIN ref_items r ON r.item_code = o.drug_code
        WHERE r.routes IS NOT NULL AND NOT list_contains(string_split(r.routes, '|'), o.route)""",
    "D07": """SELECT DISTINCT o.encounter_id FROM orders o JOIN e USING (encounter_id) JOIN ref_items r ON r.item_code = o.drug_code
        JOIN staff s ON s.staff_id = o.doctor_id AND s.institution_id = e.institution_id WHERE r.antibiotic_grade IS NOT NULL
        AND list_position(['非限制使用级','限制使用级','特殊使用级'], r.antibiotic_grade) >
        coalesce(list_position(['非限制使用级','限制使用级','特殊使用级'], s.antibiotic_privilege), 0)""",
    "D08": """SELECT DISTINCT encounter_id FROM (SELECT encounter_id, item_code, CAST(charged_at AS DATE) d FROM fee_items
        GROUP BY ALL HAVING sum(quantity) > 0) x JOIN ref_items r USING (item_code) WHERE r.max_days IS NOT NULL
        GROUP BY encounter_id, item_code, r.max_days HAVING count(*) > r.max_days""",
    "D09": """SELECT DISTINCT b.encounter_id FROM (SELECT o.*, e.patient_id FROM orders o JOIN e USING (encounter_id)
        WHERE e.encounter_type <> 'inpatient') a JOIN (SELECT o.*, e.patient_id FROM orders o JOIN e USING (encounter_id)
        WHERE e.encounter_type <> 'inpatient') b ON a.patient_id = b.patient_id AND a.drug_code = b.drug_code AND
        a.encounter_id <> b.encounter_id AND CAST(a.start_at AS DATE) <= CAST(b.start_at AS DATE) AND a.start_at < b.start_at
        WHERE date_diff('day', CAST(a.start_at AS DATE), CAST(b.start_at AS DATE)) < 0.8 * a.days_supply""",
    "D10": """SELECT DISTINCT a.encounter_id FROM orders a JOIN orders b ON a.encounter_id = b.encounter_id AND
        CAST(a.start_at AS DATE) = CAST(b.start_at AS DATE) JOIN ref_item_relations r ON r.relation = 'incompatible'
        AND r.item_a = a.drug_code AND r.item_b = b.drug_code""",
    "M01": """WITH hv AS (SELECT n.encounter_id, n.item_code FROM net n JOIN ref_items r USING (item_code)
        WHERE n.q > 0 AND r.high_value), req AS (SELECT item_a, item_b FROM ref_item_relations WHERE relation = 'requires'),
        ok AS (SELECT DISTINCT hv.encounter_id, hv.item_code FROM hv JOIN procedures p USING (encounter_id)
        LEFT JOIN req ON req.item_a = hv.item_code WHERE (hv.item_code NOT IN (SELECT item_a FROM req))
        OR starts_with(p.icd9cm3_code, req.item_b))
        SELECT DISTINCT encounter_id FROM hv ANTI JOIN ok USING (encounter_id, item_code)""",
    "M02": """WITH q AS (SELECT n.*, e.period, r.max_per_encounter FROM net n JOIN e USING (encounter_id)
        JOIN ref_items r USING (item_code) WHERE r.high_value AND n.q > 0),
        p AS (SELECT item_code, period, quantile_cont(q, 0.95) p95 FROM q GROUP BY ALL)
        SELECT DISTINCT encounter_id FROM q JOIN p USING (item_code, period) WHERE q.q > coalesce(max_per_encounter, p95)""",
    "E01": """WITH x AS (SELECT f.encounter_id, f.item_code, f.cd, e.patient_id, e.institution_id FROM f JOIN e USING (encounter_id)
        WHERE f.item_type = 'exam' AND f.quantity > 0)
        SELECT DISTINCT b.encounter_id FROM x a JOIN x b ON a.patient_id = b.patient_id AND a.item_code = b.item_code
        JOIN ref_items r ON r.item_code = a.item_code WHERE (b.cd > a.cd OR (b.cd = a.cd AND a.encounter_id < b.encounter_id))
        AND date_diff('day', a.cd, b.cd) <= coalesce(r.repeat_window_days, 7)
        AND (a.institution_id = b.institution_id OR r.mutual_recognition)""",
    "E02": """SELECT DISTINCT f.encounter_id FROM f JOIN ref_items r USING (item_code) WHERE f.quantity > 0 AND r.requires_consent
        AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.encounter_id = f.encounter_id AND c.item_code = f.item_code)""",
    "T01": """SELECT DISTINCT b.encounter_id FROM e a JOIN e b ON a.patient_id = b.patient_id AND a.institution_id = b.institution_id
        AND a.encounter_id <> b.encounter_id WHERE a.encounter_type = 'inpatient' AND b.encounter_type = 'inpatient'
        AND date_diff('day', a.dd, b.ad) BETWEEN 0 AND 15 AND b.admit_time > a.admit_time AND NOT coalesce(a.readmission_planned, false)
        AND NOT coalesce(b.readmission_planned, false)
        AND coalesce(a.discharge_disposition, '') NOT IN ('2', '3', '5') AND a.main_diagnosis[1:3] = b.main_diagnosis[1:3]""",
    "T02": """WITH RECURSIVE d AS (SELECT encounter_id, ad AS day, dd FROM e WHERE encounter_type = 'inpatient' AND dd > ad
        UNION ALL SELECT encounter_id, day + 1, dd FROM d WHERE day + 1 < dd),
        c AS (SELECT DISTINCT encounter_id, cd FROM f WHERE item_type NOT IN ('bed', 'nursing', 'other') AND quantity > 0),
        g AS (SELECT d.encounter_id, d.day, c.cd IS NULL AS idle FROM d LEFT JOIN c ON c.encounter_id = d.encounter_id AND c.cd = d.day),
        r AS (SELECT *, day - CAST(row_number() OVER (PARTITION BY encounter_id, idle ORDER BY day) AS INTEGER) AS grp FROM g)
        SELECT DISTINCT encounter_id FROM r WHERE idle GROUP BY encounter_id, grp HAVING count(*) >= 3""",
    "T03": """SELECT e.encounter_id FROM e JOIN los USING (encounter_id) LEFT JOIN ref_drg g USING (drg_code)
        WHERE los.los > CASE WHEN g.avg_los IS NULL THEN 60 ELSE 2 * g.avg_los END""",
    "T04": """WITH s AS (SELECT encounter_id, sum(amount) FILTER (WHERE item_type IN ('exam','lab')) el, sum(amount) tot,
        count(*) FILTER (WHERE item_type NOT IN ('exam','lab','bed','nursing','other') AND quantity > 0) other FROM fee_items GROUP BY 1)
        SELECT e.encounter_id FROM e JOIN s USING (encounter_id) WHERE e.encounter_type = 'inpatient' AND EXISTS (
        SELECT 1 FROM ref_minor_diagnoses m WHERE starts_with(e.main_diagnosis, m.icd10_prefix)) AND
        (coalesce(el, 0) / nullif(tot, 0) >= 0.5 OR other = 0)""",
    "T05": """WITH a AS (SELECT e.encounter_id, e.patient_id, e.institution_id, e.ad, p.address_code FROM e JOIN patients p
        USING (patient_id) WHERE encounter_type = 'inpatient')
        SELECT DISTINCT x.encounter_id FROM a x JOIN a y ON x.address_code = y.address_code AND x.institution_id = y.institution_id
        AND y.ad BETWEEN x.ad - 1 AND x.ad + 1 GROUP BY x.encounter_id, x.ad, x.address_code, x.institution_id
        HAVING (SELECT count(DISTINCT z.patient_id) FROM a z WHERE z.address_code = x.address_code AND
        z.institution_id = x.institution_id AND z.ad BETWEEN x.ad - 1 AND x.ad) >= 5 OR (SELECT count(DISTINCT z.patient_id)
        FROM a z WHERE z.address_code = x.address_code AND z.institution_id = x.institution_id AND z.ad BETWEEN x.ad AND x.ad + 1) >= 5""",
    "T06": """SELECT DISTINCT a.patient_id FROM e a JOIN e b ON a.patient_id = b.patient_id WHERE a.encounter_type = 'inpatient'
        AND b.encounter_type = 'inpatient' AND b.ad BETWEEN a.ad AND a.ad + 365 GROUP BY a.patient_id, a.encounter_id HAVING count(*) >= 4""",
    "T07": """WITH s AS (SELECT e.encounter_id, e.institution_id, e.period, e.main_diagnosis, e.total_amount,
        (SELECT string_agg(DISTINCT item_code, ',' ORDER BY item_code) FROM fee_items f WHERE f.encounter_id = e.encounter_id) items
        FROM e WHERE encounter_type = 'inpatient'), m AS (SELECT institution_id, period, main_diagnosis, items,
        median(total_amount) med FROM s GROUP BY ALL), w AS (SELECT s.* FROM s JOIN m USING (institution_id, period, main_diagnosis, items)
        WHERE abs(s.total_amount - m.med) <= 0.02 * m.med)
        SELECT encounter_id FROM w QUALIFY count(*) OVER (PARTITION BY institution_id, period, main_diagnosis, items) >= 5""",
    "T14": """WITH fo AS (SELECT e.encounter_id, e.patient_id, e.institution_id, e.period, e.ad, e.main_diagnosis,
        e.total_amount, p.address_code FROM e JOIN (SELECT DISTINCT patient_id, birth_date, poverty_registered, address_code
        FROM patients) p USING (patient_id) WHERE e.encounter_type = 'inpatient' AND
        (coalesce(p.poverty_registered, false) OR (date_diff('year', p.birth_date, e.ad) - CASE WHEN strftime(e.ad, '%m%d') <
        strftime(p.birth_date, '%m%d') THEN 1 ELSE 0 END >= 65 AND EXISTS (SELECT 1 FROM ref_minor_diagnoses m
        WHERE starts_with(e.main_diagnosis, m.icd10_prefix))))),
        fr AS (SELECT fo.encounter_id FROM fo JOIN e h ON h.patient_id = fo.patient_id AND h.encounter_type = 'inpatient'
        AND h.ad BETWEEN fo.ad - 364 AND fo.ad GROUP BY fo.encounter_id HAVING count(*) >= 3),
        cl AS (SELECT DISTINCT s.encounter_id FROM fo a JOIN fo s ON s.period = a.period AND s.institution_id = a.institution_id
        AND s.address_code = a.address_code AND s.ad BETWEEN a.ad AND a.ad + 3 WHERE (SELECT count(DISTINCT z.patient_id) FROM fo z
        WHERE z.period = a.period AND z.institution_id = a.institution_id AND z.address_code = a.address_code
        AND z.ad BETWEEN a.ad AND a.ad + 3) >= 3),
        md AS (SELECT institution_id, period, main_diagnosis, median(total_amount) med FROM fo GROUP BY ALL),
        al AS (SELECT fo.encounter_id FROM fo JOIN md USING (institution_id, period, main_diagnosis)
        WHERE abs(fo.total_amount - md.med) <= 0.02 * md.med QUALIFY count(*) OVER (PARTITION BY institution_id, period, main_diagnosis) >= 3)
        SELECT encounter_id FROM fr UNION SELECT encounter_id FROM cl UNION SELECT encounter_id FROM al""",
    "T08": """SELECT DISTINCT b.encounter_id FROM e a JOIN e b ON a.patient_id = b.patient_id AND a.encounter_id <> b.encounter_id
        WHERE a.encounter_type = 'inpatient' AND ((b.encounter_type = 'inpatient' AND (b.ad > a.ad OR (b.ad = a.ad AND
        b.encounter_id > a.encounter_id)) AND b.ad < a.dd) OR (b.encounter_type <> 'inpatient' AND
        b.institution_id <> a.institution_id AND b.ad > a.ad AND b.ad < a.dd))""",
    "T09": """SELECT attending_doctor_id || '|' || CAST(ad AS VARCHAR) FROM e WHERE encounter_type IN ('outpatient', 'emergency')
        GROUP BY attending_doctor_id, ad HAVING count(*) > 100""",
    "T10": """WITH s AS (SELECT f.encounter_id, e.patient_id, e.institution_id, CAST(f.charged_at AS DATE) cd,
        sum(f.quantity) q FROM fee_items f
        JOIN e USING (encounter_id) JOIN ref_items r USING (item_code) WHERE list_contains(string_split(r.tags, '|'), 'dialysis')
        GROUP BY ALL HAVING sum(f.quantity) > 0),
        w AS (SELECT *, sum(q) OVER (PARTITION BY patient_id, strftime(cd, '%G-%V') ORDER BY cd, encounter_id) cum FROM s)
        SELECT encounter_id FROM w WHERE cum > 3
        UNION SELECT a.encounter_id FROM s a JOIN s b ON a.patient_id = b.patient_id AND a.cd = b.cd AND a.institution_id <> b.institution_id
        UNION SELECT s.encounter_id FROM s WHERE NOT EXISTS (SELECT 1 FROM diagnoses d JOIN e x USING (encounter_id)
        WHERE x.patient_id = s.patient_id AND x.ad BETWEEN s.cd - 365 AND s.cd AND d.icd10_code[1:3] IN ('N17', 'N18', 'N19'))""",
    "T11": """SELECT e.encounter_id FROM e JOIN patients p USING (patient_id) WHERE e.ad > p.death_date""",
    "T12": """SELECT DISTINCT p.encounter_id FROM procedures p JOIN e USING (encounter_id) JOIN staff s ON s.staff_id = p.operator_id
        AND s.institution_id = e.institution_id WHERE p.surgery_level > coalesce(s.surgery_privilege, 0)""",
    "T13": """SELECT DISTINCT patient_id FROM e WHERE encounter_type IN ('outpatient', 'emergency') GROUP BY patient_id, ad HAVING count(*) >= 4
        UNION SELECT DISTINCT patient_id FROM e WHERE encounter_type IN ('outpatient', 'emergency') GROUP BY patient_id,
        strftime(ad, '%Y-%m') HAVING count(*) >= 20""",
    "R01": """SELECT encounter_id FROM e WHERE main_diagnosis <> '' AND (NOT regexp_full_match(main_diagnosis,
        '[A-Z][0-9]{2}(\\.[0-9A-Za-z]{1,8})?') OR main_diagnosis NOT IN (SELECT icd10_code FROM ref_icd10))""",
    "R02": """SELECT DISTINCT d.encounter_id FROM diagnoses d JOIN e USING (encounter_id) JOIN patients p USING (patient_id)
        WHERE (p.sex = '1' AND (d.icd10_code[1:1] = 'O' OR d.icd10_code[1:3] BETWEEN 'N70' AND 'N98' OR d.icd10_code[1:3]
        BETWEEN 'C51' AND 'C58' OR d.icd10_code[1:3] BETWEEN 'D25' AND 'D28')) OR (p.sex = '2' AND
        (d.icd10_code[1:3] BETWEEN 'N40' AND 'N53' OR d.icd10_code[1:3] BETWEEN 'C60' AND 'C63'))""",
    "R03": """SELECT DISTINCT f.encounter_id FROM f WHERE f.item_type = 'surgery' AND f.quantity > 0 AND NOT EXISTS
        (SELECT 1 FROM procedures p WHERE p.encounter_id = f.encounter_id)""",
    "R04": """SELECT encounter_id FROM e WHERE dd < ad UNION SELECT f.encounter_id FROM f JOIN e USING (encounter_id)
        WHERE f.quantity > 0 AND f.cd < e.ad - 1 UNION SELECT p.encounter_id FROM procedures p JOIN e USING (encounter_id)
        WHERE CAST(p.performed_at AS DATE) < e.ad OR CAST(p.performed_at AS DATE) > coalesce(e.dd, e.ad)""",
    "R05": """SELECT encounter_id FROM e WHERE encounter_type = 'inpatient' AND (discharge_time IS NULL OR
        discharge_disposition IS NULL OR coalesce(main_diagnosis, '') = '')""",
}

BENCHMARK = """
WITH st AS (SELECT e.encounter_id, e.drg_code, e.period, los.los, e.total_amount tot,
    (SELECT coalesce(sum(amount), 0) FROM fee_items f WHERE f.encounter_id = e.encounter_id AND f.item_type LIKE 'drug%') drug,
    (SELECT coalesce(sum(amount), 0) FROM fee_items f WHERE f.encounter_id = e.encounter_id AND f.item_type = 'material') mat
    FROM e JOIN los USING (encounter_id) WHERE e.drg_code IN (SELECT drg_code FROM ref_drg)),
b AS (SELECT p.period, s.drg_code, count(*) n,
    quantile_cont(s.los, 0.75) + 1.5 * (quantile_cont(s.los, 0.75) - quantile_cont(s.los, 0.25)) lu,
    quantile_cont(s.tot, 0.75) + 1.5 * (quantile_cont(s.tot, 0.75) - quantile_cont(s.tot, 0.25)) cu,
    avg(s.drug) da, avg(s.mat) ma FROM (SELECT DISTINCT period FROM st) p JOIN st s ON s.period < p.period AND
    s.period >= strftime(CAST(p.period || '-01' AS DATE) - INTERVAL 12 MONTH, '%Y-%m') GROUP BY ALL)
SELECT st.encounter_id, st.los, st.tot, st.drug, st.mat, b.n, b.lu, b.cu, b.da, b.ma, g.los_upper, g.cost_upper
FROM st JOIN ref_drg g USING (drg_code) LEFT JOIN b USING (period, drg_code)
"""


REF_TYPES = {
    "price_cap_l3": "DECIMAL(18,4)",
    "price_cap_l2": "DECIMAL(18,4)",
    "price_cap_l1": "DECIMAL(18,4)",
    "sex_limit": "VARCHAR",
    "age_min": "INTEGER",
    "age_max": "INTEGER",
    "max_per_day": "DECIMAL(18,4)",
    "per_day_billing": "BOOLEAN",
    "indication_icd": "VARCHAR",
    "min_level": "INTEGER",
    "high_value": "BOOLEAN",
    "antibiotic_grade": "VARCHAR",
    "max_daily_dose": "DECIMAL(18,4)",
    "routes": "VARCHAR",
    "mutual_recognition": "BOOLEAN",
    "requires_consent": "BOOLEAN",
    "repeat_window_days": "INTEGER",
    "max_days": "INTEGER",
    "max_per_encounter": "DECIMAL(18,4)",
    "setting": "VARCHAR",
    "freq_limit": "DECIMAL(18,4)",
    "freq_window": "VARCHAR",
    "tags": "VARCHAR",
    "ingredient": "VARCHAR",
}


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """Views over every batch of a generated data set, and its reference tables."""
    con = duckdb.connect()
    for name in TABLES:
        files = sorted(str(p) for p in folder.glob(f"batches/*/{name}.parquet"))
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({files!r}, union_by_name = true)")
    for path in sorted(folder.glob("ref/ref_*.csv")):
        con.execute(
            f"CREATE TABLE {path.stem} AS SELECT * FROM read_csv('{path}', header = true, auto_detect = true)"
        )
    casts = ", ".join(f"TRY_CAST({c} AS {t}) AS {c}" for c, t in REF_TYPES.items())
    con.execute(f"CREATE OR REPLACE TABLE ref_items AS SELECT * REPLACE ({casts}) FROM ref_items")
    con.execute(VIEWS)
    return con


def hits(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Rule id → hit keys."""
    found: dict[str, set[str]] = {}
    for rule, sql in RULES.items():
        try:
            found[rule] = {str(r[0]) for r in con.execute(sql).fetchall()}
        except duckdb.Error as exc:
            raise RuntimeError(f"{rule}: {exc}") from exc
    found.update({r: set() for r in ("S01", "S02", "S03", "S04")})
    for row in con.execute(BENCHMARK).fetchall():
        enc, los, tot, drug, mat, n, lu, cu, da, ma, g_lu, g_cu = (
            v if isinstance(v, str) or v is None else float(v) for v in row
        )
        big = n is not None and n >= 30
        lu, cu = (lu, cu) if big else (g_lu, g_cu)
        if big and da and drug / da > 2 and drug >= 1000:
            found["S01"].add(enc)
        if big and ma and mat / ma > 2 and mat >= 1000:
            found["S02"].add(enc)
        if lu is not None and los > lu:
            found["S03"].add(enc)
        if cu is not None and tot > cu:
            found["S04"].add(enc)
    return found
