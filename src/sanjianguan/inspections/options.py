"""检查计划参数: what a yearly draw may be asked for, and the checks on it.

A plan (双随机一公开检查计划) visits every institution of the region once; the options
add weighted extra visits (问题突出的医疗机构增加检查频次: weight 1 + problem_weight per
confirmed problem, capped at problem_cap), the number of inspectors per visit, the items
checked (检查事项) and the departments taking part (联合检查: 卫生健康、医疗保障、市场监管).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sanjianguan.errors import InvalidInputError
from sanjianguan.inputs import text

DEPARTMENTS = {"health": "卫生健康", "insurance": "医疗保障", "market_regulator": "市场监管"}
DEFAULT_ITEMS = ("医疗服务行为", "医保基金使用", "药品耗材管理")


@dataclass(frozen=True)
class PlanOptions:
    """The parameters of a draw (defaults: no extra visit, weight 1 + 2 per problem up to 5, 2 inspectors)."""

    extra_visits: int = 0
    problem_weight: int = 2
    problem_cap: int = 5
    inspectors_per_visit: int = 2
    items: Sequence[str] = DEFAULT_ITEMS
    departments: Sequence[str] = ("health",)


DEFAULT_OPTIONS = PlanOptions()


def check_options(options: PlanOptions, population: int) -> tuple[list[str], list[str]]:
    """The checked items and departments of `options` for a region of `population` institutions."""
    if not 0 <= options.extra_visits <= population:
        raise InvalidInputError(
            f"加抽次数应在 0 到 {population}（机构数）之间",
            f"extra_visits must be between 0 and {population} (the number of institutions)",
            code="invalid_extra_visits",
        )
    if not 0 <= options.problem_weight <= 100 or not 0 <= options.problem_cap <= 100:
        raise InvalidInputError(
            "问题权重和上限应在 0 到 100 之间",
            "problem_weight and problem_cap must be between 0 and 100",
            code="invalid_weight",
        )
    if not 1 <= options.inspectors_per_visit <= 10:
        raise InvalidInputError(
            "每次检查人员数应在 1 到 10 之间",
            "inspectors_per_visit must be between 1 and 10",
            code="invalid_inspectors",
        )
    items = [text(item, "检查事项", "inspection item") for item in options.items]
    if not items or len(items) > 20 or len(set(items)) != len(items) or any(len(i) > 100 for i in items):
        raise InvalidInputError(
            "检查事项应为 1 到 20 项、互不重复、每项不超过100字",
            "items: 1 to 20 distinct items of at most 100 characters",
            code="invalid_items",
        )
    departments = list(dict.fromkeys(options.departments))
    unknown = [d for d in departments if d not in DEPARTMENTS]
    if not departments or unknown:
        raise InvalidInputError(
            f"参加部门无效：{unknown}（可选 {sorted(DEPARTMENTS)}）",
            f"invalid departments {unknown} (choose from {sorted(DEPARTMENTS)})",
            code="invalid_departments",
        )
    return items, departments
