"""Traditional-character copies and variant signs, folded so that the layouts' labels match.

Mirror sites republish forms in traditional characters (項目名稱, 績效指標, 實際完成值, 預算執行率),
sometimes with tone-marked pinyin after each character (項xiàng目mù). Labels are recognised by
folding the text: pinyin dropped, each traditional character of a layout label replaced by its
simplified form (one character for one, so a value's place in the folded text is its place in the
printed one, and :func:`restore` gives a value back as printed).

The table below holds only the characters that occur in the shipped layouts' labels and titles
(``tests/test_import_text.py`` checks it against them): it folds labels, it is no general
converter, and a value is never changed by it.

Comparison signs printed in their full-width or variant forms (≧ ≦ ═ ﹦ ＝) are read as ≥ ≤ =.
"""

from __future__ import annotations

import functools
import re

# simplified → traditional, for the characters of the layouts' labels and titles that have one.
_PAIRS = (
    "万萬 专專 业業 产產 价價 会會 体體 内內 决決 况況 务務 区區 单單 县縣 参參 号號 后後 响響 国國 实實 对對 "
    "当當 态態 总總 户戶 执執 报報 拨撥 据據 数數 无無 时時 权權 标標 栏欄 济濟 满滿 环環 电電 监監 盖蓋 称稱 "
    "纠糾 级級 组組 织織 经經 结結 绩績 续續 联聯 补補 计計 论論 评評 话話 调調 负負 财財 责責 质質 资資 转轉 "
    "过過 运運 进進 门門 问問 间間 际際 项項 预預 题題 额額"
)
SIMPLIFIED_OF = {pair[1]: pair[0] for pair in _PAIRS.split()}
_FOLD = str.maketrans(SIMPLIFIED_OF)

# A pinyin syllable carries a tone mark (a bare Latin word is not taken for pinyin).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN = re.compile(r"[ \t]*[(（]?[a-zü]*[" + _TONED + r"][a-zü]*[)）]?", re.IGNORECASE)

SIGNS = {"≧": "≥", "≦": "≤", "═": "=", "﹦": "=", "＝": "="}
_SIGN = re.compile("[" + "".join(SIGNS) + "]")
# A text with fewer traditional label characters than this is a simplified one with a stray character.
MIN_TRADITIONAL = 4

NOTE = "原文为繁体字，已按简体核对"


def count(text: str) -> int:
    """How many characters of `text` are traditional forms of label characters."""
    return sum(1 for char in text if char in SIMPLIFIED_OF)


def is_traditional(text: str) -> bool:
    return count(text) >= MIN_TRADITIONAL


def drop_pinyin(text: str) -> str:
    """項xiàng目mù → 項目 (only tone-marked syllables: English words stay)."""
    return _PINYIN.sub("", text)


def fold(text: str) -> str:
    """Traditional label characters → simplified, one for one (the length does not change)."""
    return text.translate(_FOLD)


def signs(text: str) -> str:
    """≧ → ≥, ≦ → ≤, ═ ﹦ ＝ → =."""
    return _SIGN.sub(lambda m: SIGNS[m.group(0)], text)


def has_variant_sign(text: object) -> bool:
    return isinstance(text, str) and bool(_SIGN.search(text))


class Folded:
    """A traditional text, its folded form, and the way back for values."""

    def __init__(self, printed: str) -> None:
        # Pinyin comes with traditional copies; a simplified text with a ≧ keeps its accented words.
        self.printed = drop_pinyin(printed) if is_traditional(printed) else printed
        self.text = signs(fold(self.printed))  # one character for one: places agree

    @functools.lru_cache(maxsize=None)
    def restore(self, value: str) -> str:
        """The value as printed: where it occurs in the folded text, the printed characters there."""
        at = self.text.find(value)
        if at < 0:
            return value
        return self.printed[at : at + len(value)]


__all__ = ["Folded", "NOTE", "SIGNS", "SIMPLIFIED_OF", "count", "drop_pinyin", "fold", "has_variant_sign",
           "is_traditional", "signs"]
