"""规则目录 of the pages: the data folder's rules and indicators, read once per `rules.toml`.

One `clues.rule_sheet.RuleCatalogue` serves the clue detail (规则说明 with the run's
parameters), the expert's package (the rule's text, policy and parameters: the catalogue's
words, no identity) and the 规则 pages (the configured rules).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sanjianguan.analytics.rule_params import read_file
from sanjianguan.clues.rule_sheet import RuleCatalogue
from sanjianguan.web.configuration import WebConfig


def rule_catalogue(request: Request) -> RuleCatalogue:
    """The rule catalogue of the app's data folder, read again when `rules.toml` changed (the
    规则 page's parameter forms, or an edit by hand: the next page shows the new values)."""
    config: WebConfig = request.app.state.config
    stamp = read_file(config.home).digest
    found = getattr(request.app.state, "rule_catalogue", None)
    if isinstance(found, RuleCatalogue) and getattr(request.app.state, "rule_catalogue_stamp", None) == stamp:
        return found
    built = RuleCatalogue.for_home(config.home)
    request.app.state.rule_catalogue, request.app.state.rule_catalogue_stamp = built, stamp
    return built


Catalogue = Annotated[RuleCatalogue, Depends(rule_catalogue)]
