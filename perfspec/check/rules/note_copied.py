"""PS703 note-copied: 偏差原因与上一年的一字不差

同一项目上一年同一种表（自评表对自评表、监控表对监控表）中已有的偏差原因，本年一字不差地再写一遍，
说明没有分析当年的情况。忽略空格和句末标点；少于 10 个字的不比较。

通过 / passes: 本年偏差原因写明当年的原因

不通过 / fails: 本年的偏差原因与上一年的完全相同
"""

from __future__ import annotations

CODE = "PS703"
NAME = "note-copied"
SEVERITY = "warning"
SUMMARY = "偏差原因与上一年的一字不差（比较多张表，见 perfspec/stages.py）"
SUMMARY_EN = "a deviation note copied word for word from last year (compared across forms, see perfspec/stages.py)"

# No `check(ctx)`: one form alone cannot show this; perfspec/stages.py reports it.
