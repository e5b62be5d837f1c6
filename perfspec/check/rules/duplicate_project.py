"""PS015 duplicate-project: 同一项目同一年度只有一张表

一个项目一个年度一张表（同一种类）。把一张表复制为另一个项目的表、却忘了改项目名称，
两张表就会以同一个项目出现在汇总里。这条规则比较的是多张表，所以不在单张表的检查中运行，
而由 `perfspec/check/corpus.py` 在全部表检查之后比较：所检查的表，以及 `.perfspec.yaml`
的 `paths` 下的其他表（pre-commit 钩子只传入改动的表，照样能发现与已有的表重复）。
项目名称比较时忽略空格和全角/半角的差别；绩效目标表、监控表和自评表各是一种，互不算重复。
两个单位确有同名项目时，在表的顶层写 `acknowledge: {PS015: 理由}`。

通过 / passes: `specs/2024/a.yaml` 与 `specs/2024/b.yaml` 的 `project` 不同

不通过 / fails: `specs/2024/a.yaml` 与 `specs/2024/b.yaml` 都写 `year: 2024`、`project: 信息化运维项目`
"""

from __future__ import annotations

CODE = "PS015"
NAME = "duplicate-project"
SEVERITY = "error"
SUMMARY = "同一项目同一年度只有一张表（比较全部表，见 perfspec/check/corpus.py）"
SUMMARY_EN = "one form per project and year (compared across forms, see perfspec/check/corpus.py)"

# No `check(ctx)`: one form alone cannot show this; perfspec/check/corpus.py reports it.
