"""PS010 schema: 表的结构必须符合 schema/perfspec.schema.json

键名、必填项、数据类型和取值范围由 JSON Schema 规定（编辑器也读取它来给出补全和
悬停说明）。每个问题报告在出错的键或值上，用表中的栏目名称说明应填什么：
未知的键（多半是拼错，如 scroe）、缺少必填项、文字写在了数字栏、负数、
不在“优/良/中/差”之内的评分等级等。

通过 / passes::

    - name: 故障处理率
      target: ≥95.00(%)
      actual: 100.00(%)
      weight: 15
      score: 15

不通过 / fails (分值写成了文字 / a weight written as text)::

    - name: 故障处理率
      target: ≥95.00(%)
      actual: 100.00(%)
      weight: 十五
      score: 15
"""

from __future__ import annotations

from perfspec.check.rules.base import Context
from perfspec.load.schema_check import validate

CODE = "PS010"
NAME = "schema"
SEVERITY = "error"
SUMMARY = "表的结构必须符合 schema"
SUMMARY_EN = "the form's structure must match the schema"


def check(ctx: Context) -> None:
    for path, at_key, zh, en in validate(ctx.doc.data):
        # An acknowledgement without a reason is PS901's to report, in its own words.
        if len(path) >= 2 and path[-2] == "acknowledge" and not at_key:
            continue
        ctx.report(path, zh, en, at_key=at_key)
