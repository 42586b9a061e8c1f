"""The knowledge base as the generator sees it: item attributes by index, and prices.

Background prices are derived from the KB itself (a cap times an institution factor
≤ 1), so a background line can never exceed its cap whatever KB is used.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from sanjianguan.contract.schema import DRUG_ITEM_TYPES

# Base prices (yuan per unit) of items without a price cap: drugs and materials are
# priced by tender/negotiation, not by the service price catalogue.
LIST_PRICES: dict[str, str] = {
    "XJ01CAA040A001010100120": "0.35",
    "XJ01DCT086B001010101905": "6.80",
    "XJ01DDT084B001010103655": "28.50",
    "XJ01MAZ064A001010102283": "1.20",
    "XJ01MAZ064B002010100352": "18.60",
    "XJ01DHM027B001010100389": "96.00",
    "XR05CBA115A001010100526": "0.45",
    "XR05CBA115B002010100148": "5.20",
    "XR03DAD204B002010101906": "22.40",
    "XA02BCA211E001010101445": "0.60",
    "XA02ADL061A001010102038": "0.40",
    "XC08CAA138A001010101549": "0.30",
    "XC09CAE052A001010100325": "0.55",
    "XA10BAE054A001010101545": "0.12",
    "XA10ABY066B002010102267": "32.00",
    "XC10AAA103A001010101553": "0.65",
    "XN07XXD130E002010102774": "4.50",
    "XB01AXA223B002010100156": "12.80",
    "XC03CAF011B002010100225": "0.90",
    "XC01DAD043A001010101549": "0.50",
    "XB01ACA056A012010100157": "0.15",
    "XB01ACL079A001010100159": "3.20",
    "XN02BEA163A001010100174": "0.20",
    "XB05BAF150B002010100269": "24.00",
    "XB05XAL075B002010100350": "1.10",
    "XJ01DDT070B001010101843": "3.80",
    "XN01BBL071B002010100126": "0.80",
    "XB01ABD170B002010100280": "16.50",
    "ZA05CAC0029010102312": "9.80",
    "ZA07AAA0061010100166": "380.00",
    "ZA01CAX0351010101453": "2.10",
    "ZA04BAL0011010100159": "0.55",
    "ZD03AAA0043010100166": "1.60",
    "XG04CBA088A001010101467": "2.40",
    "ZA12HAX0869010101267": "11.20",
    "C0313030100100206390": "780.00",
    "C0314010100101102357": "16800.00",
    "C0206010200100504021": "2350.00",
    "C0206020100100104418": "380.00",
    "C0202010100100103015": "2.50",
    "C0202020100100102016": "8.00",
    "C0701010100100103123": "85.00",
}
DEFAULT_LIST_PRICE = "10.00"


def _cents(text: str) -> int:
    return int((Decimal(text) * 100).to_integral_value())


@dataclass
class Catalog:
    """Reference items by index, with the attributes the generator needs."""

    codes: list[str]
    rows: list[dict[str, str]]
    relations: list[tuple[str, str, str]]
    drg: list[dict[str, str]]
    index: dict[str, int] = field(init=False)
    caps: npt.NDArray[np.int64] = field(init=False)  # (n, 4) cents by level 0..3, -1 = no cap
    item_type: pa.Array = field(init=False)
    names: pa.Array = field(init=False)
    code_array: pa.Array = field(init=False)
    insurance_class: pa.Array = field(init=False)

    def __post_init__(self) -> None:
        self.index = {c: i for i, c in enumerate(self.codes)}
        caps = np.full((len(self.codes), 4), -1, dtype=np.int64)
        for i, row in enumerate(self.rows):
            for level, col in (
                (3, "price_cap_l3"),
                (2, "price_cap_l2"),
                (1, "price_cap_l1"),
                (0, "price_cap_l1"),
            ):
                if row[col]:
                    caps[i, level] = _cents(row[col])
        self.caps = caps
        self.item_type = pa.array([r["item_type"] for r in self.rows])
        self.names = pa.array([r["name"] for r in self.rows])
        self.code_array = pa.array(self.codes)
        self.insurance_class = pa.array([_insurance_class(r) for r in self.rows])

    def row(self, code: str) -> dict[str, str]:
        return self.rows[self.index[code]]

    def base_price_cents(self, code: str, level: int) -> int:
        """The reference price of an item at a level: its cap, else the list price.

        An empty cap at a level means no limit; the nearest higher level's cap is used
        as the reference so that the price stays plausible.
        """
        i = self.index[code]
        for lvl in range(level, 4):
            if self.caps[i, lvl] >= 0:
                return int(self.caps[i, lvl])
        return _cents(LIST_PRICES.get(code, DEFAULT_LIST_PRICE))

    def is_drug(self, code: str) -> bool:
        return self.row(code)["item_type"] in DRUG_ITEM_TYPES

    def related(self, code: str, relation: str) -> list[str]:
        return [b for a, b, r in self.relations if a == code and r == relation]


def _insurance_class(row: dict[str, str]) -> str:
    if row["kind"] == "material" and row["high_value"] == "1":
        return "乙"
    if row["min_level"] or row["indication_icd"] or row["antibiotic_grade"] == "特殊使用级":
        return "乙"
    return "甲"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def load_catalog(folder: Path) -> Catalog:
    """Read the KB folder (contract reference format, CSV)."""
    rows = _read(folder / "ref_items.csv")
    relations = [(r["item_a"], r["item_b"], r["relation"]) for r in _read(folder / "ref_item_relations.csv")]
    return Catalog([r["item_code"] for r in rows], rows, relations, _read(folder / "ref_drg.csv"))
