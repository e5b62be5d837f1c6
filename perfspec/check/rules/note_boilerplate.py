"""PS704 note-boilerplate: 同一年度多个项目的表写了一字不差的偏差原因

同一年度不同项目的表中出现完全相同的偏差原因，多半是套话。忽略空格和句末标点；少于 10 个字的不比较；
同一项目的目标表、监控表、自评表之间不算。

通过 / passes: 各项目的偏差原因各自说明

不通过 / fails: 两个项目的自评表都写“受疫情影响，部分工作未能按计划推进”
"""

from __future__ import annotations

CODE = "PS704"
NAME = "note-boilerplate"
SEVERITY = "warning"
SUMMARY = "同一年度多个项目的表写了一字不差的偏差原因（比较多张表，见 perfspec/stages.py）"
SUMMARY_EN = "a deviation note shared word for word by several forms of the same year (compared across forms, see perfspec/stages.py)"

# No `check(ctx)`: one form alone cannot show this; perfspec/stages.py reports it.
