"""规则目录 of the pages: the data folder's rules and indicators, read once per `rules.toml`.

One `clues.rule_sheet.RuleCatalogue` serves the clue detail (规则说明 with the run's
parameters), the expert's package (the rule's text, policy and parameters: the catalogue's
words, no identity) and the 规则 pages (the configured rules).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from sanjianguan.clues.rule_sheet import RuleCatalogue
from sanjianguan.rules.registry import SETTINGS_FILE
from sanjianguan.web.configuration import WebConfig

Stamp = tuple[int, int, int] | None


def _stamp(home: Path) -> Stamp:
    """Which `rules.toml` is there now: its inode, size and change time (no read: this runs on
    every page that shows a rule; the parameter forms replace the file, a new inode)."""
    try:
        found = (home / SETTINGS_FILE).stat()
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns)


def rule_catalogue(request: Request) -> RuleCatalogue:
    """The rule catalogue of the app's data folder, read again when `rules.toml` changed (the
    规则 page's parameter forms, or an edit by hand: the next page shows the new values)."""
    config: WebConfig = request.app.state.config
    stamp = _stamp(config.home)
    found = getattr(request.app.state, "rule_catalogue", None)
    if isinstance(found, RuleCatalogue) and getattr(request.app.state, "rule_catalogue_stamp", None) == stamp:
        return found
    built = RuleCatalogue.for_home(config.home)
    request.app.state.rule_catalogue, request.app.state.rule_catalogue_stamp = built, stamp
    return built


Catalogue = Annotated[RuleCatalogue, Depends(rule_catalogue)]
