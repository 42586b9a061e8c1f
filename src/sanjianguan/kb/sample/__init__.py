"""The sample knowledge base (示例知识库) shipped with the platform.

CSV files in the contract's reference format (`ref_items.csv`, `ref_item_relations.csv`,
`ref_drg.csv`, `ref_minor_diagnoses.csv`, `ref_icd10.csv`). Service items carry the
15-digit national service codes and drugs the national drug codes of the national rule
library where one exists; limits are illustrative, not an official catalogue.
"""

from __future__ import annotations

from pathlib import Path


def path() -> Path:
    """The folder holding the sample reference tables."""
    return Path(__file__).resolve().parent
