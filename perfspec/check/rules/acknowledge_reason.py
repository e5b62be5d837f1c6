"""PS901 acknowledge-reason: 确认一条检查结果必须写明理由

已经公开发布的表格不能再改时，可以在相关内容旁用 `acknowledge` 确认某条检查结果：
键为规则代码，值为理由。确认后它不再导致检查失败，但仍会在输出和报告中列出，
标明“已确认”。没有理由（空、null 或只有空白）的确认无效，并报告本错误。
`acknowledge` 可以写在每个三级指标、`funds`、`total` 以及顶层（针对 grade 等顶层项）。

通过 / passes::

    - name: 故障响应及时率
      weight: 10
      score: 8
      acknowledge:
        PS201: 已公开发布的表格原文如此，无法更改

不通过 / fails::

    - name: 故障响应及时率
      weight: 10
      score: 8
      acknowledge:
        PS201:
"""

CODE = "PS901"
NAME = "acknowledge-reason"
SEVERITY = "error"
SUMMARY = "确认检查结果必须写明理由"
SUMMARY_EN = "an acknowledgement needs a reason"
