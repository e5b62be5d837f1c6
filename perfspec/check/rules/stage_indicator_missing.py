"""PS601 stage-indicator-missing: 后一阶段的表缺少前一阶段（绩效目标表、监控表）已有的指标

一个项目一年有三张表：随预算批复的绩效目标表、年中的绩效运行监控表、年末的自评表。
后一阶段的表应当保留前一阶段已批准的全部指标；自评时删去没完成的指标，是审计最常指出的问题。
比较的是同一项目同一年度的前一阶段（或表顶层 `of:` 写明的表），由 `perfspec/stages.py` 在全部表检查之后比较，
消息写明两张表的文件和行号。年中经批准删去的，在后一阶段的表顶层 `adjustments:` 中写明
（`{indicator: 指标名称, change: removed, approval: 批准文号}`），结果标为已确认。

通过 / passes: 自评表保留目标表的“道路完好率”

不通过 / fails: 目标表有“道路完好率”（`target: ≥95%`），自评表中没有
"""

from __future__ import annotations

CODE = "PS601"
NAME = "stage-indicator-missing"
SEVERITY = "warning"
SUMMARY = "后一阶段的表缺少前一阶段（绩效目标表、监控表）已有的指标（比较多张表，见 perfspec/stages.py）"
SUMMARY_EN = "an indicator of the earlier stage (target table, monitoring form) is missing (compared across forms, see perfspec/stages.py)"

# No `check(ctx)`: one form alone cannot show this; perfspec/stages.py reports it.
