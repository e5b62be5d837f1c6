"""PS002 duplicate-key: 同一映射中的键不能重复

YAML 遇到重复的键时会用后一个值静默覆盖前一个，填表人以为写上的数字就这样
丢了。perfspec 在重复出现的位置报错，保留第一次出现的值。

通过 / passes::

    - name: 故障处理率
      score: 15

不通过 / fails::

    - name: 故障处理率
      score: 15
      score: 13
"""

CODE = "PS002"
NAME = "duplicate-key"
SEVERITY = "error"
SUMMARY = "同一映射中的键不能重复"
SUMMARY_EN = "a key may appear only once in a mapping"
