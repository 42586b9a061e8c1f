"""Registers every command module of this package (one concern each).

A module registers its commands on `sanjianguan.cli.app.app` when imported; discovery
means a new command group needs no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil

import sanjianguan.cli as package

_SKIP = {"app", "commands"}

for _info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
    if _info.name not in _SKIP and not _info.name.startswith("_"):
        importlib.import_module(f"{package.__name__}.{_info.name}")
