"""PS702 lost-indicator-dropped: 上年扣了分的指标本年不再设置

上一年自评表中得分低于分值的指标，本年的表中没有了（按指标名称比较，忽略空格）。
没完成的指标应当继续考核，而不是悄悄删去。在本年最早的阶段上报告。

通过 / passes: 上年“办结率”得 8/10 分，本年仍设置

不通过 / fails: 上年“办结率”得 8/10 分，本年的目标表中没有
"""

from __future__ import annotations

CODE = "PS702"
NAME = "lost-indicator-dropped"
SEVERITY = "warning"
SUMMARY = "上年扣了分的指标本年不再设置（比较多张表，见 perfspec/stages.py）"
SUMMARY_EN = "an indicator that lost points last year was dropped (compared across forms, see perfspec/stages.py)"

# No `check(ctx)`: one form alone cannot show this; perfspec/stages.py reports it.
