"""PS104 total-weight: 总分值 = 预算执行率分值 + 各三级指标分值之和

表中写出的总分值必须等于逐项相加的结果（十进制精确相加，不会出现
0.1 + 0.2 ≠ 0.3 的误报）。不相等通常意味着漏抄或多抄了一行指标。

通过 / passes: 分值 10 + 20 + 15 + 15 + 10 + 10 + 10 + 10 = 100，`total: {weight: 100.00}`

不通过 / fails: 各行分值合计 95，`total: {weight: 100.00}`

无论表中写的总分值是多少，各项分值之和都必须等于版式的满分（100）：`perfspec fix`
把总分值从 100 改成 95 并不能让表变对，少掉的那一行仍会报告。

不通过 / fails: 各行分值合计 95，`total: {weight: 95}`
"""

from __future__ import annotations

from perfspec.check.rules.base import Context
from perfspec.check.rules._sums import check_full_marks, check_sum

CODE = "PS104"
NAME = "total-weight"
SEVERITY = "error"
SUMMARY = "总分值 = 预算执行率分值 + 各三级指标分值之和"
SUMMARY_EN = "total weight = funds weight + every indicator's weight"


def check(ctx: Context) -> None:
    check_sum(ctx, "weight")
    check_full_marks(ctx)
