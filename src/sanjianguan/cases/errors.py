"""Errors of the workflow store, access control and the clue workflow (流程错误).

Every error carries a stable `code` and a message in Chinese and in English, so that
the web layer can answer `{"detail": {"code", "message_zh", "message_en"}}` and the CLI
can print both. The HTTP status of each class is decided in `sanjianguan.web.errors`,
not here: the domain does not know about HTTP.
"""

from __future__ import annotations

from sanjianguan.errors import SjgError


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


class AuditChainError(WorkflowError):
    """The audit log's hash chain is broken (an edited, deleted or inserted row)."""

    code = "audit_chain_broken"
