"""PS005 yaml-tag: 不使用 YAML 标签

perfspec 只读取数据，从不按标签构造对象：`!!python/object` 之类的标签不会执行任何
代码，而是作为错误报告，该值按空值处理。`!!str`、`!!int`、`!!float`、`!!bool`、
`!!null` 这些标准标签可以使用。

通过 / passes::

    project: !!str 2023

不通过 / fails::

    project: !!python/object/apply:os.system [echo hi]
"""

CODE = "PS005"
NAME = "yaml-tag"
SEVERITY = "error"
SUMMARY = "不使用 YAML 标签构造对象"
SUMMARY_EN = "no YAML tags that construct objects"
