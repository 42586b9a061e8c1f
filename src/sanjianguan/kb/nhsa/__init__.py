"""Importer of the national medical-insurance rule library (国家医保智能监管两库).

One module per spreadsheet family (sex, age, setting, level, course, frequency,
duplicate_charge, unsupported), shared sheet reading in `sheets`, and the `driver`
that merges them into a new knowledge-base version.
"""

from sanjianguan.kb.nhsa.driver import NhsaImportReport, import_nhsa, write_issues_csv

__all__ = ["NhsaImportReport", "import_nhsa", "write_issues_csv"]
