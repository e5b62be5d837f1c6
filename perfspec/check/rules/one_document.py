"""PS006 one-document: 一个文件恰好是一张表

空文件没有可检查的内容；用 `---` 分隔的多个文档会让其余的表被静默忽略。
每张自评表单独一个文件。

通过 / passes::

    year: 2023
    project: 信息化运维项目

不通过 / fails::

    year: 2023
    ---
    year: 2024
"""

CODE = "PS006"
NAME = "one-document"
SEVERITY = "error"
SUMMARY = "一个文件恰好是一张表（一个 YAML 文档）"
SUMMARY_EN = "a file holds exactly one form (one YAML document)"
