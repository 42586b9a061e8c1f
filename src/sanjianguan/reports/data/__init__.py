"""报表数据 (one source of figures): one function per report, scoped by jurisdiction and period."""
