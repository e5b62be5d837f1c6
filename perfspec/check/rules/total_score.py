"""PS105 total-score: 总得分 = 预算执行率得分 + 各三级指标得分之和

通过 / passes: 9.96 + 16.5 + 14.5 + 14.3 + 8.5 + 9.0 + 8.9 + 9.3 = 90.96，`total: {score: 90.96}`

不通过 / fails: 各行得分合计 93.00，`total: {score: 98.00}`
"""

from __future__ import annotations

from perfspec.check.rules.base import Context
from perfspec.check.rules._sums import check_sum

CODE = "PS105"
NAME = "total-score"
SEVERITY = "error"
SUMMARY = "总得分 = 预算执行率得分 + 各三级指标得分之和"
SUMMARY_EN = "total score = funds score + every indicator's score"


def check(ctx: Context) -> None:
    check_sum(ctx, "score")
