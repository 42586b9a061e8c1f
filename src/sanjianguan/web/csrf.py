"""跨站请求伪造防护 (CSRF): the token that proves a write came from this site's own pages.

A signed-in form carries `csrf_token`, derived from the session's own token (an HMAC of
it), so it is bound to the session, changes with it, and needs no storage; a page on
another site cannot read it (the session cookie is HttpOnly). The login form has no
session yet: it carries a random token that must equal the `sjg_login_csrf` cookie set
with the form (double submit). A POST without the right token is refused with 403 and
changes nothing.

The API takes the same token in the `X-CSRF-Token` header when a write is authenticated
by the session cookie alone (a script of this site's pages); a bearer token needs none,
as no browser sends it by itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
LOGIN_COOKIE = "sjg_login_csrf"
REFUSED = "表单已过期或来源不明，请重新提交"


def session_token(session_token: str) -> str:
    """The CSRF token of the session whose (secret) token is `session_token`."""
    return hmac.new(session_token.encode("utf-8"), b"sjg-page-csrf", hashlib.sha256).hexdigest()


def new_login_token() -> str:
    """A random token for one login form (and its cookie)."""
    return secrets.token_urlsafe(32)


def matches(expected: str | None, given: str | None) -> bool:
    """Whether the form's token is the expected one (constant time; a missing one never is)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def signed_in_form_ok(session_token_value: str, form: Mapping[str, str]) -> bool:
    """Whether a signed-in page's posted `form` carries the token of its session."""
    return matches(session_token(session_token_value), form.get(FIELD))
