"""Access settings (登录与会话): defined in the one settings tree, re-exported here."""

from __future__ import annotations

from sanjianguan.config import AccessSettings, Settings

__all__ = ["AccessSettings", "access_settings"]


def access_settings(settings: Settings) -> AccessSettings:
    """The `access` section of the settings."""
    return settings.access
