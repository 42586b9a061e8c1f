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


# The workflow family (流程错误): access control and the clue workflow.
#
# Every error carries a stable `code` and a message in Chinese and in English, so that
# the web layer can answer `{"detail": {"code", "message_zh", "message_en"}}` and the CLI
# can print both. The HTTP status of each class is decided in `sanjianguan.web.errors`,
# not here: the domain does not know about HTTP.


class WorkflowError(SjgError):
    """Base of the workflow family: a request the workflow refuses, with a bilingual message."""

    code = "workflow_error"

    def __init__(self, message_zh: str, message_en: str, *, code: str | None = None) -> None:
        self.message_zh = message_zh
        self.message_en = message_en
        if code is not None:
            self.code = code
        super().__init__(f"{message_zh} / {message_en}")


class InvalidInputError(WorkflowError):
    """Input that breaks a rule of the workflow (bad region code, unknown role, ...)."""

    code = "invalid_input"


class NotFoundError(WorkflowError):
    """Unknown object, or one outside the caller's jurisdiction (the two are not told apart)."""

    code = "not_found"

    @classmethod
    def no_such(cls, noun_zh: str, noun_en: str, key: object) -> NotFoundError:
        """`<名词>不存在：<key>` / `no such <noun>: <key>`, code `<noun>_not_found`."""
        return cls(f"{noun_zh}不存在：{key}", f"no such {noun_en}: {key}", code=f"{noun_en}_not_found")


class AuthenticationError(WorkflowError):
    """No valid credentials: wrong password, unknown user, expired or revoked session."""

    code = "not_authenticated"


class RateLimitedError(AuthenticationError):
    """Too many failed logins for a username or a client address (登录失败次数过多)."""

    code = "rate_limited"

    def __init__(self, message_zh: str, message_en: str, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message_zh, message_en)


class PermissionDeniedError(WorkflowError):
    """The caller's role may not take this action on an object it may see."""

    code = "permission_denied"


class ConflictError(WorkflowError):
    """The object changed meanwhile (optimistic lock), or already exists."""

    code = "conflict"
