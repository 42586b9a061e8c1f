"""Running `sjg` through its entry point `main`, as the console script does.

`CliRunner().invoke(app, ...)` bypasses `main`, so the way a user error (an SjgError
such as NoDataError) is printed and turned into an exit code is only seen here.
"""

from __future__ import annotations

import sys

import pytest

from sanjianguan.cli import main


def run_sjg(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """Exit code and standard output + standard error of `sjg *args`."""
    monkeypatch.setattr(sys, "argv", ["sjg", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    captured = capsys.readouterr()
    code = stopped.value.code
    return (code if isinstance(code, int) else 1), captured.out + captured.err
