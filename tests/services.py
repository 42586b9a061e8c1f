"""External services of the test suite (PostgreSQL, Java for Spark, Chromium, the shared data).

Locally a missing service skips its tests. In CI (`CI=true`, as `.ci/run` is run) it fails
them instead, so a run that silently tested less than it should cannot pass.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def in_ci() -> bool:
    """`CI=true`: set by CI services (and by whoever runs `.ci/run` the way CI does)."""
    return os.environ.get("CI") == "true"


def unavailable(service: str, hint: str) -> NoReturn:
    """Skip the test for want of `service`, or fail it under CI=true."""
    message = f"{service} 不可用 / not available: {hint}"
    if in_ci():
        pytest.fail(f"CI=true 时不得跳过 / must not be skipped in CI: {message}", pytrace=False)
    pytest.skip(message)


def shared_dir() -> Path:
    """The shared data beside the checkout (`<checkout>/../shared`), or `$SJG_TEST_SHARED`."""
    return Path(os.environ.get("SJG_TEST_SHARED") or CHECKOUT.parent / "shared")


def java_missing() -> str | None:
    """Why Spark cannot start here, or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -e '.[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and (Path(java_home) / "bin" / "java").exists()):
        return "no java on PATH or in $JAVA_HOME (scripts/setup --system installs it)"
    return None


def browser() -> str | None:
    """The Chromium executable for browser tests, if any."""
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def office_suite() -> str | None:
    """LibreOffice's `soffice`, which opens the documents in the document tests, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")
