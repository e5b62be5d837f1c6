"""PS605 target-edited-after-budget: 预算批复（标签）之后改动了年度指标值、分值或指标

绩效目标随预算一起批复。`perfspec diff BASE [HEAD] --budget-tag TAG` 列出两个版本之间对年度指标值、
分值和指标的每一处改动（“目标变更”一节，附提交、作者和日期）；其中在标签 TAG 之后（TAG 不包含的
提交，或尚未提交）改动的，各报一条警告。表中 `adjustments:` 写明了该指标、该项调整的批准文号的，
是经批准的目标调整：不报，只在“目标变更”中注明批准文号。新增、删除整张表（如年中加入监控表）不算。
由 `perfspec/targets.py` 判断什么是目标变更，`perfspec diff` 报告。

通过 / passes: 预算标签之后把“道路完好率”的 `target: ≥95%` 改为 `≥90%`，同时在表顶层写
`adjustments: [{indicator: 道路完好率, change: target, approval: 黄财预〔2024〕35号}]`

不通过 / fails: 预算标签之后把 `target: ≥95%` 改为 `≥90%`，没有 adjustments
"""

from __future__ import annotations

CODE = "PS605"
NAME = "target-edited-after-budget"
SEVERITY = "warning"
SUMMARY = "预算批复标签之后改动了年度指标值、分值或指标，且没有写明批准的目标调整（perfspec diff --budget-tag）"
SUMMARY_EN = "a target, weight or indicator edited after the budget tag without an approved adjustment (perfspec diff --budget-tag)"

# No `check(ctx)`: one version of a form cannot show this; `perfspec diff --budget-tag` reports it.
