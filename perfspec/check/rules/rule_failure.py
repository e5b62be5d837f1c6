"""PS009 rule-failure: 某条规则无法检查这张表（perfspec 自身的问题）

每条规则都应当能处理任何能读取的表；万一某条规则在某张表上出错，perfspec 不会中断
整个检查，而是在这张表上报告本错误，写明是哪条规则，其余规则和其余文件照常检查。
请把这张表和这条消息报告给 perfspec 的维护者。

通过 / passes: 任何表（正常情况下不会出现本错误）。

不通过 / fails: 规则内部出错时，例如一条规则在极端数值上无法计算。
"""

CODE = "PS009"
NAME = "rule-failure"
SEVERITY = "error"
SUMMARY = "某条规则无法检查这张表（请报告给维护者）"
SUMMARY_EN = "a rule failed on this form (please report it)"
