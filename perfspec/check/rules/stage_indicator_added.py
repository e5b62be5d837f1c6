"""PS602 stage-indicator-added: 后一阶段的表有前一阶段没有的指标

自评表或监控表中出现绩效目标表没有的指标，说明指标在批复后被增加（常见于用完成得好的指标替换完成不了的）。
由 `perfspec/stages.py` 比较同一项目同一年度的前后两个阶段；经批准的，在 `adjustments:` 中写
`{indicator: 指标名称, change: added, approval: 批准文号}`。

通过 / passes: 自评表的指标都在目标表中

不通过 / fails: 自评表新增“市民投诉办结率”，目标表中没有
"""

from __future__ import annotations

CODE = "PS602"
NAME = "stage-indicator-added"
SEVERITY = "warning"
SUMMARY = "后一阶段的表有前一阶段没有的指标（比较多张表，见 perfspec/stages.py）"
SUMMARY_EN = "an indicator not in the earlier stage was added (compared across forms, see perfspec/stages.py)"

# No `check(ctx)`: one form alone cannot show this; perfspec/stages.py reports it.
