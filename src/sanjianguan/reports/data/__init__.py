"""报表数据: one function per report, scoped by jurisdiction and period (the one source of figures)."""
