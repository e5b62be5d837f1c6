"""The rule registry: one module per rule, each documented by its docstring.

Every module defines CODE, NAME, SEVERITY, SUMMARY, SUMMARY_EN, a docstring
with a passing and a failing example, and `check(ctx)` unless the loader
reports the rule itself.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from perfspec.check.rules._index import WITHOUT_CHECK
from perfspec.check.rules.base import Rule

# Listed, not discovered: import order is then fixed and cheap.
_MODULES = (
    "yaml_syntax",
    "duplicate_key",
    "encoding",
    "limits",
    "yaml_tag",
    "one_document",
    "rule_failure",
    "schema",
    "file_name",
    "duplicate_project",
    "year_folder",
    "review_marker",
    "layout_cells",
    "blank_cell",
    "goal_text",
    "funds_sum",
    "execution_rate",
    "budget_score",
    "total_weight",
    "total_score",
    "grade_band",
    "level_points",
    "weighted_score",
    "score_range",
    "two_decimals",
    "deviation_note",
    "adjustment_note",
    "corrective_measures",
    "forecast_rate",
    "half_year_pace",
    "unreadable_value",
    "full_marks_missed",
    "deduction_met",
    "unit_mismatch",
    "actual_not_measured",
    "indicator_unnamed",
    "cost_floor",
    "scoring_advice",
    "over_achievement",
    "level1_weights",
    "category_names",
    "budget_scored_twice",
    "stage_indicator_missing",
    "stage_indicator_added",
    "stage_target_changed",
    "stage_weight_changed",
    "target_edited_after_budget",
    "target_lowered",
    "lost_indicator_dropped",
    "note_copied",
    "note_boilerplate",
    "acknowledge_reason",
    "acknowledge_unused",
)


def _rule(name: str, module: ModuleType) -> Rule:
    return Rule(
        code=module.CODE,
        name=module.NAME,
        severity=module.SEVERITY,
        summary=module.SUMMARY,
        summary_en=module.SUMMARY_EN,
        module=name,
        check=getattr(module, "check", None),
    )


def all_rules() -> list[Rule]:
    # A rule without a check is known from the generated index: its module (documentation only) is
    # imported when its doc is read (`perfspec rules`, SARIF), not on every run.
    rules = [
        Rule(*WITHOUT_CHECK[name], module=name, check=None)
        if name in WITHOUT_CHECK
        else _rule(name, importlib.import_module(f"perfspec.check.rules.{name}"))
        for name in _MODULES
    ]
    return sorted(rules, key=lambda r: r.code)
