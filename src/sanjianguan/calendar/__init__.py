"""法定节假日日历: the platform's own official calendar (holidays and make-up working days, 调休).

The State Council publishes each year's holidays late in the previous year, so the
platform owns the data: the years it knows are shipped with the code
(`data/official.csv`, seeded once from `chinese_calendar`), stored in the workflow store
(`calendar_days`, `calendar_years`) and an office loads a new year from a file
(`sjg calendar load FILE`). A year that is not loaded never fails a computation:
working days are counted provisionally (暂定) with weekends and the fixed-date holidays,
and the deadline says so. See docs/calendar.md.
"""
