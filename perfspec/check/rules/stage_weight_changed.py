"""PS604 stage-weight-changed: 指标分值与前一阶段的不同

前一阶段的表印有分值时，后一阶段的分值应当相同；把分值挪到完成得好的指标上会抬高得分。
只在两张表都写了分值时比较。经批准的在 `adjustments:` 中写 `change: weight` 和批准文号。

通过 / passes: 两张表都写 `weight: 10`

不通过 / fails: 监控表 `weight: 10`，自评表 `weight: 5`
"""

from __future__ import annotations

CODE = "PS604"
NAME = "stage-weight-changed"
SEVERITY = "warning"
SUMMARY = "指标分值与前一阶段的不同（比较多张表，见 perfspec/stages.py）"
SUMMARY_EN = "a weight differs from the earlier stage (compared across forms, see perfspec/stages.py)"

# No `check(ctx)`: one form alone cannot show this; perfspec/stages.py reports it.
