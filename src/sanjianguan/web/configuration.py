"""The web application's configuration (配置), loaded once when the app is built.

Routes used to read the region's `ladder.toml` (责任追究阶梯) and `points.toml` (记分标准)
on every request, and the `[cases]` settings on the first upload: a file edited or broken
while the server ran changed or broke answers in mid-flight, and a broken file showed only
on the first request that needed it. `WebConfig.load` reads everything once, inside
`create_app`, so a broken file fails the start with its `ConfigError` (naming the file
and the key) and the routes take the loaded objects as typed dependencies (`web.deps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sanjianguan.accountability.config import Ladder, load_ladder
from sanjianguan.config import CasesSettings, Settings
from sanjianguan.context import Context
from sanjianguan.points.config import PointsConfig, load_points_config


@dataclass(frozen=True)
class WebConfig:
    """What the routes are configured with: the data folder, its settings, ladder and points."""

    home: Path
    settings: Settings
    ladder: Ladder
    points: PointsConfig

    @property
    def cases(self) -> CasesSettings:
        """线索办理 settings (`[cases]`): the evidence upload limits."""
        return self.settings.cases

    @classmethod
    def load(cls, ctx: Context) -> WebConfig:
        """The configuration of `ctx`'s data folder; a broken file raises ConfigError now."""
        return cls(
            home=ctx.home,
            settings=ctx.settings,
            ladder=load_ladder(ctx.home),
            points=load_points_config(ctx.home),
        )
