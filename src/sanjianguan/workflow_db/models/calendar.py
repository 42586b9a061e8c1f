"""Official calendar tables (法定节假日日历): the entries of each loaded year, and the years.

A year is official once it has a `calendar_years` row (shipped with the code, or loaded
by an office from a file); its days off and make-up working days are `calendar_days`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base


class CalendarDay(Base):
    """One holiday (法定节假日) or make-up working day (调休上班) of a loaded year."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))  # holiday | workday
    name: Mapped[str] = mapped_column(String(64))


class CalendarYear(Base):
    """A loaded year: where its entries came from (`shipped` or the file's name) and who loaded it."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    holiday_count: Mapped[int]
    workday_count: Mapped[int]
    loaded_at: Mapped[datetime]
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
