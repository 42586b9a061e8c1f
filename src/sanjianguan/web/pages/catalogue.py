"""规则目录 of the pages: the data folder's rule and indicator catalogue, read once per app.

One `clues.rule_sheet.RuleCatalogue` serves the clue detail (规则说明 with the run's
parameters), the expert's package (the rule's text, policy and parameters: the catalogue's
words, no identity) and the 规则 pages (the configured rules).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sanjianguan.clues.rule_sheet import RuleCatalogue
from sanjianguan.web.configuration import WebConfig


def rule_catalogue(request: Request) -> RuleCatalogue:
    """The rule catalogue of the app's data folder, built once per app."""
    found = getattr(request.app.state, "rule_catalogue", None)
    if isinstance(found, RuleCatalogue):
        return found
    config: WebConfig = request.app.state.config
    built = RuleCatalogue.for_home(config.home)
    request.app.state.rule_catalogue = built
    return built


Catalogue = Annotated[RuleCatalogue, Depends(rule_catalogue)]
