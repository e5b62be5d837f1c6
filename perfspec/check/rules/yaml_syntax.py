"""PS001 yaml-syntax: 文件必须是合法的 YAML

YAML 写错（缩进不一致、冒号后缺空格、括号或引号没有闭合、用 Tab 缩进）时，
整张表都无法读取。perfspec 指出出错的行和列，并用中文说明常见原因。

通过 / passes::

    funds:
      weight: 10

不通过 / fails (Tab 缩进 / a tab used for indentation)::

    funds:
    	weight: 10
"""

CODE = "PS001"
NAME = "yaml-syntax"
SEVERITY = "error"
SUMMARY = "文件必须是合法的 YAML"
SUMMARY_EN = "the file must be valid YAML"
