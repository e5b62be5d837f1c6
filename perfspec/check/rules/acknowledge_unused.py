"""PS902 acknowledge-unused: 确认必须对应一条实际存在的检查结果

`acknowledge` 里写的规则代码在这一处没有任何检查结果（问题已经改正，或代码写错）时，
这条确认就是多余的，应当删除，免得日后掩盖新的问题。

通过 / passes: PS201 确认写在确实缺少偏差说明的指标上。

不通过 / fails::

    - name: 故障处理率
      weight: 15
      score: 15
      acknowledge:
        PS201: 原表如此
"""

CODE = "PS902"
NAME = "acknowledge-unused"
SEVERITY = "warning"
SUMMARY = "确认必须对应一条实际存在的检查结果"
SUMMARY_EN = "an acknowledgement must match a finding"
