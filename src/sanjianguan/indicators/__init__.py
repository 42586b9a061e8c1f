"""Level-2 and level-3 indicators (二级/三级指标), targets, O/E and peer outliers.

Declarations: `catalogue/<id>.toml`; sample targets: `targets.toml`; the generated
catalogue page: `docs/indicators.md` (`python -m sanjianguan.indicators.docs`).
"""
