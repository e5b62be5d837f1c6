"""PS701 target-lowered: 上年已超额完成的指标，本年目标反而降低

按项目名称比较 `specs/<年度>/` 中相邻两年的表：上一年自评表实际完成值已超过指标值，本年的指标值却更低
（反向指标则是更高），目标设置偏低。只比较能读成数值且单位一致的指标值；在本年最早的阶段（通常是绩效目标表）上报告。

通过 / passes: 上年 `target: ≥95%`、`actual: 98%`，本年 `target: ≥95%`

不通过 / fails: 上年 `target: ≥95%`、`actual: 98%`，本年 `target: ≥90%`
"""

from __future__ import annotations

CODE = "PS701"
NAME = "target-lowered"
SEVERITY = "warning"
SUMMARY = "上年已超额完成的指标，本年目标反而降低（比较多张表，见 perfspec/stages.py）"
SUMMARY_EN = "a target lowered although last year's actual exceeded it (compared across forms, see perfspec/stages.py)"

# No `check(ctx)`: one form alone cannot show this; perfspec/stages.py reports it.
