"""Report data: one function per report, scoped by jurisdiction and period (one source of figures)."""
