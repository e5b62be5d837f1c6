"""PS004 limits: 文件大小、别名展开、嵌套深度和数值范围有上限

一张自评表只有几 KB。超过 2 MiB 的文件、展开后超过十万个节点的别名（“别名炸弹”）、
超过 64 层的嵌套（方括号、花括号嵌套超过 1000 层时整个文件不读取）、以及绝对值大于 1e15
或小于 1e-15 的非零数字都不会被读取，以免检查卡死或
耗尽内存；这里报告具体是哪一项超限。

通过 / passes::

    weight: 10

不通过 / fails::

    weight: 1e999
"""

CODE = "PS004"
NAME = "limits"
SEVERITY = "error"
SUMMARY = "文件大小、别名展开、嵌套深度和数值范围有上限"
SUMMARY_EN = "file size, alias expansion, nesting depth and number range are bounded"
