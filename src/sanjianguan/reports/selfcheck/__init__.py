"""The institution self-check profile (定点医疗机构自查内容表, seed 001 part 5), filled from data.

`profile` computes the figures per institution and period; `form` declares the form's
numbered items and their Chinese wording; `workbook` writes the form as an .xlsx.
"""

from sanjianguan.reports.selfcheck.profile import (
    InstitutionHeader,
    Profile,
    SelfCheckError,
    compute_profiles,
)
from sanjianguan.reports.selfcheck.workbook import write_workbook

__all__ = ["InstitutionHeader", "Profile", "SelfCheckError", "compute_profiles", "write_workbook"]
