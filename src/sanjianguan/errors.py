"""One exception tree for the whole platform.

Every error a user can cause carries a message that names where it happened
(file, row, field) so that nothing has to be guessed from a traceback.
"""

from __future__ import annotations


class SjgError(Exception):
    """Base of every error the platform raises on purpose."""


class ConfigError(SjgError):
    """Bad configuration (settings file, environment, rule configuration)."""


class ContractError(SjgError):
    """A batch or reference file that breaks the public data contract.

    Raised when a batch must be rejected as a whole (unreadable file, missing
    manifest, missing required column). Row-level problems are quarantined instead.
    """

    def __init__(self, message: str, *, file: str | None = None, column: str | None = None) -> None:
        self.file = file
        self.column = column
        where = ", ".join(
            part
            for part in (f"文件/file {file}" if file else "", f"列/column {column}" if column else "")
            if part
        )
        super().__init__(f"{message} ({where})" if where else message)


class StoreError(SjgError):
    """The analytic store is missing, locked or inconsistent."""


class StoreBusyError(StoreError):
    """The store stayed locked by another process (one writer or many readers) past the wait."""

    def __init__(self, message: str, *, waited: float) -> None:
        super().__init__(message)
        self.waited = waited


class KnowledgeBaseError(SjgError):
    """A knowledge-base load or import failed."""


class RuleError(SjgError):
    """A rule declaration or rule configuration is invalid."""


class NoDataError(SjgError):
    """Nothing to compute or report: the store has no encounters settled in the period (无数据).

    Raised by the analytic services (indicators, hits, growth, self-check) so that a
    month without data is refused with a message naming it, instead of yielding zeros or
    an empty file; the CLI's `main` reports it as a user error (non-zero exit).
    """

    def __init__(self, period: str, *, institutions: tuple[str, ...] = ()) -> None:
        self.period = period
        self.institutions = institutions
        which = f": {', '.join(institutions)}" if institutions else ""
        super().__init__(f"{period} 无已结算的就诊数据 / no encounters settled in {period}{which}")
