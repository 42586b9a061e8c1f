"""The sample knowledge base (示例知识库) shipped with the platform.

CSV files in the contract's reference format (`ref_items.csv`, `ref_item_relations.csv`,
`ref_drg.csv`, `ref_minor_diagnoses.csv`, `ref_tcm_advantage_diseases.csv`, `ref_icd10.csv`).
Service items carry the 15-digit national service codes and drugs the national drug codes
of the national rule library where one exists; limits are illustrative, not an official
catalogue. Likewise the `key_monitored` flags (重点监控药品: a few adjuvant drugs and TCM
injections of the kind provincial lists name) are examples, not the national list.

`ref_tcm_advantage_diseases.csv` (中医优势病种) is a sample for a region to replace with its
own published list (`sjg kb load DIR` with the region's file): about twenty diseases of the
kind the NATCM 中医优势病种 lists name (中风, 项痹, 腰痛, 膝痹, 消渴, 胸痹, 眩晕, 不寐, 咳嗽,
胃脘痛, 痔 ...), each as the ICD-10 prefixes of its western diagnoses. It includes diagnoses
the synthetic region's inpatients carry (I63, E11, I25, J44), so that the level-3 indicator
中医优势病种比例 has values there.
"""

from __future__ import annotations

from pathlib import Path


def path() -> Path:
    """The folder holding the sample reference tables."""
    return Path(__file__).resolve().parent
