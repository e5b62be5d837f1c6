"""PS603 stage-target-changed: 年度指标值与前一阶段批准的不同

年度指标值是随预算批复的；年末为了“完成”而把目标改低，是最常见的问题。比较时忽略空格、全角/半角，
`>=` 与 `≥` 视为相同。由 `perfspec/stages.py` 比较同一项目同一年度的前后两个阶段，消息写明两处的文件和行号。
经批准的目标调整在后一阶段的表顶层写 `adjustments: [{indicator: 道路完好率, change: target, approval: 黄财预〔2024〕35号}]`，
结果标为已确认，附批准文号。

通过 / passes: 目标表与自评表都写 `target: ≥95%`

不通过 / fails: 目标表 `target: ≥95%`，自评表 `target: ≥90%`，没有 adjustments
"""

from __future__ import annotations

CODE = "PS603"
NAME = "stage-target-changed"
SEVERITY = "warning"
SUMMARY = "年度指标值与前一阶段批准的不同（比较多张表，见 perfspec/stages.py）"
SUMMARY_EN = "a target value differs from the earlier stage (compared across forms, see perfspec/stages.py)"

# No `check(ctx)`: one form alone cannot show this; perfspec/stages.py reports it.
