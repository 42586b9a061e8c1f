"""Access settings (登录与会话): defined in the one settings tree, re-exported here."""

from __future__ import annotations

from sanjianguan.config import AccessSettings

__all__ = ["AccessSettings"]
