"""Read the 年度指标值 (target) and 实际完成值 (actual) cells of a performance
self-evaluation form into ``(operator, value, unit)``.

The cells are free text typed or pasted by many different people, so the
same meaning arrives in many spellings (``≥``, ``≧``, ``>=``, full-width
digits, brackets around units, ...).  The parser folds those spellings
together but never guesses: text that has the shape of a number yet cannot
be read becomes ``Kind.INVALID`` with an explanation, so the validator can
report it instead of silently scoring it.  It never raises, because one bad
cell must not stop the checking of a whole form.
"""

import functools
import operator
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import NamedTuple

__all__ = ["Kind", "Quantity", "parse_target", "parse_actual", "met", "units_agree"]


class Kind(str, Enum):
    QUANTITY = "quantity"  # a number with an operator and maybe a unit
    RANGE = "range"  # low-high with maybe a unit
    ACHIEVEMENT = "achievement"  # 达成指标 / 部分达成指标 / 未达成指标
    QUALITATIVE = "qualitative"  # any other text: 达标, 及时, 提升, ...
    INVALID = "invalid"  # looks numeric but cannot be read


class Quantity(NamedTuple):
    kind: Kind
    text: str  # the original text, kept so reports can quote the form verbatim
    op: str | None = None  # "=", ">=", "<=", ">", "<" for QUANTITY; None otherwise
    value: Decimal | None = None  # QUANTITY value
    low: Decimal | None = None  # RANGE
    high: Decimal | None = None  # RANGE
    unit: str | None = None  # normalised unit, None if none written
    achievement: str | None = None  # "达成" / "部分达成" / "未达成" for ACHIEVEMENT
    problem: str | None = None  # INVALID: short Chinese explanation
    problem_en: str | None = None
    implied: bool = False  # no operator was written: `op` is the caller's assumption


# --------------------------------------------------------------------------
# Character folding
# --------------------------------------------------------------------------

# NFKC already folds the full-width forms (＝ ＞ ＜ ﹦ ﹥ ﹤), so only the
# look-alikes that NFKC leaves alone need listing.  ≮ ("not less than") and
# ≯ ("not greater than") are standard in Chinese technical writing and mean
# exactly >= and <=, so folding them is not a guess.
_OP_CHARS: dict[str, str] = {
    "≥": ">=",
    "≧": ">=",
    "⩾": ">=",
    "≮": ">=",
    "≤": "<=",
    "≦": "<=",
    "⩽": "<=",
    "≯": "<=",
    "═": "=",  # box-drawing double horizontal, seen on real forms as "="
    "꞊": "=",
    "=": "=",
    ">": ">",
    "<": "<",
}

# Longest spelling first so ">=" is not read as ">" followed by "=".
_OP_SPELLINGS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        [(">=", ">="), ("<=", "<=")] + list(_OP_CHARS.items()),
        key=lambda pair: -len(pair[0]),
    )
)

# How each operator is shown back to a Chinese reader in problem messages.
_OP_DISPLAY: dict[str, str] = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}

# U+2212 MINUS SIGN survives NFKC; word processors substitute it for "-".
_MINUS_CHARS = "\u2212"

# Range separators; "——" is the Chinese dash (two em dashes) and is common.
_SEP = r"(?:—{1,2}|[-~–〜‐⁓]|至|到)"
_SEP_CHARS = "-~–—〜‐⁓至到"

# Bracket pairs that may surround a unit: "(%)", "（%）", "[%]", "【%】".
_BRACKETS: dict[str, str] = {"(": ")", "[": "]", "【": "】", "〔": "〕", "{": "}"}

# A plain decimal, optionally with correctly grouped thousands separators.
# "1234,5" (decimal comma) is deliberately not accepted: it would be a guess.
_NUMBER = r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"
_NUMBER_RE = re.compile(_NUMBER)

# The numeric-looking run at the start of a cell: digits, dots, commas and
# the spaces that were kept between digits.  Used both to read numbers and
# to decide that an unreadable cell was nevertheless meant as a number.
# The run is made atomic with the lookahead-plus-backreference idiom (the
# possessive "++" needs Python 3.11, pyproject allows 3.10): the number ends at
# the first non-number character, so a pathological cell cannot make the
# range pattern backtrack through every split of a long digit string.
def _num_run(name: str) -> str:
    return rf"(?=(?P<{name}>[+-]?(?=[0-9., ]*[0-9])[0-9., ]+))(?P={name})"


_HEAD_RE = re.compile(_num_run("head") + r"(?P<tail>.*)", re.DOTALL)

_RANGE_RE = re.compile(
    _num_run("low")
    + r"(?P<low_tail>[^" + re.escape(_SEP_CHARS) + r"]*?)"  # unit written after low
    + _SEP
    + _num_run("high")
    + r"(?P<high_tail>.*)",  # unit; vetted by _loose_tail, not here
    re.DOTALL,
)

# A date in a cell is a deadline, i.e. qualitative; without this "2023.12.31"
# would be reported as an unreadable number.
_DATE_RE = re.compile(r"[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}")

# One "/"-separated piece of a word unit: letters or CJK (\w minus digits and
# "_"), plus ° and · for "°C" and "人·次"; a trailing 2/3 only straight after a
# Latin letter, because NFKC turns ㎡ and m² into "m2".
_UNIT_PART_RE = re.compile(r"(?:[^\W\d_]|[°·])+(?:(?<=[A-Za-z])[23])?")

# Number spellings of programming languages and YAML 1.1 (1_000, 0x10, 1e5, .inf):
# no form means them, and reading one as qualitative text would leave the cell unchecked.
_CODE_NUMBER_RE = re.compile(
    r"[+-]?(?:0[xob][0-9a-f_]+|\.(?:inf|nan)|[0-9][0-9_]*(?:\.[0-9_]*)?(?:e[+-]?[0-9]+)?)", re.IGNORECASE
)
# "e3" after a number is an exponent, not a unit like "m3".
_EXPONENT_RE = re.compile(r"[eE][0-9]+")

_MAX_UNIT_LEN = 8
_MAX_LOOSE_TAIL_LEN = 10

# Words that turn "number + short text" into a phrase rather than a unit
# ("95%以上", "3天内完成", "100分左右").  Such cells are read as qualitative,
# because taking "%以上" as a unit would make met() answer wrongly.
_PHRASE_WORDS: tuple[str, ...] = (
    "以上", "以下", "以内", "之内", "之前", "之后", "以前", "以后", "左右",
    "完成", "达到", "达成", "超过", "低于", "高于", "大于", "小于", "等于",
    "至少", "至多", "最多", "最少", "不低于", "不少于", "不高于", "不超过",
    "内", "前", "后", "不", "及", "约", "或", "并", "至", "到",
)

_ACHIEVEMENTS: dict[str, str] = {
    "达成指标": "达成",
    "部分达成指标": "部分达成",
    "未达成指标": "未达成",
    "达成": "达成",
    "部分达成": "部分达成",
    "未达成": "未达成",
}


_DIGIT_GAP_RE = re.compile(r"(?<=[0-9])\s+(?=[0-9])")
_LOOSE_SPACE_RE = re.compile(r"(?<![0-9])\s+|\s+(?![0-9])")


@functools.lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    """NFKC plus the folds NFKC does not do, with insignificant spaces dropped.

    Spaces between two digits are kept (as one space) so that "5000 6000"
    stays unreadable instead of silently becoming 50006000.
    """
    s = unicodedata.normalize("NFKC", text)
    # Zero-width and BOM characters arrive with copy-paste from Word/Excel and
    # are invisible to whoever reads the form.
    # (Cf characters are not printable: a printable text, nearly every one, has none to drop.)
    printable = s.isprintable()
    if not printable:
        s = "".join(ch for ch in s if unicodedata.category(ch) != "Cf")
    for ch in _MINUS_CHARS:
        s = s.replace(ch, "-")
    if printable and " " not in s:
        return s  # no whitespace at all (a printable text's only one is the space)
    s = _DIGIT_GAP_RE.sub(" ", s)
    return _LOOSE_SPACE_RE.sub("", s)


def _strip_brackets(unit: str) -> str:
    # Repeat so that "((%))" and "（(%)）" are treated like "(%)".
    while len(unit) >= 2 and _BRACKETS.get(unit[0]) == unit[-1]:
        unit = unit[1:-1]
    return unit


# The same few units ("%", "个", "(批次)") are compared thousands of times a run: fold each once.
@functools.lru_cache(maxsize=4096)
def _normalise_unit(unit: str) -> str:
    folded = _strip_brackets(_fold(unit))
    return _unit(folded) or folded


def _has_phrase_word(tail: str) -> bool:
    return any(word in tail for word in _PHRASE_WORDS)


def _loose_tail(tail: str) -> bool:
    """Could this text after a number have been meant as a unit?

    Decides between INVALID (a unit was intended but is malformed, e.g. "(%")
    and QUALITATIVE (the number is part of a sentence, e.g. "3天内完成").
    """
    if _unit(tail) is not None:  # "m2" has a digit but is a real unit
        return True
    return (
        len(tail) <= _MAX_LOOSE_TAIL_LEN
        and not any(ch.isdigit() for ch in tail)
        and not _has_phrase_word(tail)
    )


# Units of measure as forms print them beside a number. Only used to tell a cell that holds a unit and no
# number (a template's "公里" never filled in) from a qualitative target ("合格", "全覆盖"): any short word may
# follow a number as its unit, so a unit alone is recognised by name.
_MEASURES = frozenset((
    "个", "人", "人次", "次", "户", "户次", "件", "项", "台", "套", "辆", "艘", "架", "所", "家", "座", "处", "条",
    "份", "批", "批次", "场", "场次", "期", "篇", "本", "册", "张", "部", "名", "位", "班", "间", "栋", "幢", "床",
    "头", "只", "羽", "株", "棵", "尾", "箱", "袋", "包", "盒", "支", "块", "根", "片", "宗", "笔", "单", "例", "类",
    "吨", "千克", "公斤", "斤", "克", "米", "公里", "千米", "延米", "平方米", "平米", "亩", "公顷", "立方米", "方",
    "元", "天", "日", "工作日", "周", "月", "个月", "年", "小时", "分钟", "秒", "%", "‰", "度", "千瓦", "千瓦时",
    "m", "km", "m2", "m3", "t", "kg", "h",
))
_MAGNITUDES = ("万", "千", "百", "亿", "十万", "百万", "千万")


def unit_only(text: object) -> str | None:
    """The unit, when a cell holds a unit of measure and nothing else (“公里”, “(万亩)”, “%”); else None."""
    return _unit_only(text) if isinstance(text, str) else None


@functools.lru_cache(maxsize=8192)  # every target and actual is asked, and the same few texts recur
def _unit_only(text: str) -> str | None:
    unit = _strip_brackets(_fold(text))
    if not unit or len(unit) > _MAX_UNIT_LEN:
        return None
    bare = unit
    for magnitude in _MAGNITUDES:
        if bare.startswith(magnitude) and bare[len(magnitude):] in _MEASURES:
            bare = bare[len(magnitude):]
            break
    return unit if bare in _MEASURES or bare.lower() in _MEASURES else None


# Units spelled out in words, as budget systems print them.
_UNIT_WORDS: dict[str, str] = {"百分比": "%", "百分率": "%", "百分数": "%", "千分比": "‰"}
# "%(百分比)", "个(个)": a unit followed by its own description in brackets.
_DESCRIBED_UNIT_RE = re.compile(r"(?P<unit>[^()\[\]【】]+?)[(\[【](?P<words>[^()\[\]【】]+)[)\]】]")


@functools.lru_cache(maxsize=4096)  # a few units ("(件)", "(%)") recur in every form
def _unit(tail: str) -> str | None:
    """The normalised unit if ``tail`` is a well-formed unit, else None."""
    unit = _strip_brackets(tail)
    unit = _UNIT_WORDS.get(unit, unit)
    described = _DESCRIBED_UNIT_RE.fullmatch(unit)
    if described is not None:
        inner = _unit(described.group("unit"))
        if inner is not None and not any(ch.isdigit() for ch in described.group("words")):
            return inner
    if not unit or len(unit) > _MAX_UNIT_LEN:
        return None
    if unit in ("%", "‰"):
        return unit
    if _EXPONENT_RE.fullmatch(unit):
        return None
    if _has_phrase_word(unit):
        return None
    if all(_UNIT_PART_RE.fullmatch(part) for part in unit.split("/")):
        return unit
    return None


def _number(head: str) -> Decimal | None:
    if not _NUMBER_RE.fullmatch(head):
        return None
    try:
        value = Decimal(head.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return None
    return value if value.is_finite() else None


def _match_op(s: str) -> tuple[str, str] | None:
    for spelling, op in _OP_SPELLINGS:
        if s.startswith(spelling):
            return op, s[len(spelling):]
    return None


def _invalid(text: str, problem: str, problem_en: str) -> Quantity:
    return Quantity(Kind.INVALID, text, problem=problem, problem_en=problem_en)


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


def _parse_after_op(text: str, op: str, rest: str) -> Quantity:
    """A cell that starts with an operator must be ``op number unit?``."""
    shown = _OP_DISPLAY[op]
    head_match = _HEAD_RE.fullmatch(rest)
    if head_match is None:
        return _invalid(
            text,
            f"无法识别“{shown}”后的数值",
            f"cannot read the number after “{op}”",
        )
    if _range_match(rest) is not None:
        return _invalid(
            text,
            f"“{shown}”后不能是区间",
            f"a range cannot follow “{op}”",
        )
    head, tail = head_match.group("head", "tail")
    value = _number(head)
    if value is None:
        return _invalid(
            text,
            f"无法识别“{shown}”后的数值“{head}”",
            f"cannot read the number “{head}” after “{op}”",
        )
    if not tail:
        return Quantity(Kind.QUANTITY, text, op=op, value=value)
    unit = _unit(tail)
    if unit is None:
        return _invalid(
            text,
            f"无法识别“{shown}{head}”后的单位“{tail}”",
            f"cannot read the unit “{tail}” after “{op}{head}”",
        )
    return Quantity(Kind.QUANTITY, text, op=op, value=value, unit=unit)


def _range_match(s: str) -> re.Match[str] | None:
    """The range match if ``s`` is shaped like ``low unit? sep high unit?``.

    The regex lets the unit parts be anything so that one pattern serves all
    separators; the units are vetted here so that "3天内到5天内完成" reads as
    a sentence, not as a malformed range.
    """
    match = _RANGE_RE.fullmatch(s)
    if match is None:
        return None
    for tail in match.group("low_tail", "high_tail"):
        if tail and not _loose_tail(tail):
            return None
    return match


def _parse_range(text: str, match: re.Match[str]) -> Quantity:
    low_s, low_tail, high_s, high_tail = match.group("low", "low_tail", "high", "high_tail")
    low, high = _number(low_s), _number(high_s)
    if low is None or high is None:
        bad = low_s if low is None else high_s
        return _invalid(text, f"无法识别区间中的数值“{bad}”", f"cannot read the number “{bad}” in the range")
    low_unit = _unit(low_tail) if low_tail else None
    high_unit = _unit(high_tail) if high_tail else None
    if (low_tail and low_unit is None) or (high_tail and high_unit is None):
        bad = low_tail if low_tail and low_unit is None else high_tail
        return _invalid(text, f"无法识别区间的单位“{bad}”", f"cannot read the unit “{bad}” of the range")
    if low_unit is not None and high_unit is None:
        # "5万-60000" could mean 5万..6万 or 5万..60000; refuse to pick.
        return _invalid(text, "区间上限缺少单位", "the upper end of the range has no unit")
    if low_unit is not None and low_unit != high_unit:
        return _invalid(
            text,
            f"区间两端单位不一致（“{low_unit}”与“{high_unit}”）",
            f"the ends of the range have different units (“{low_unit}” and “{high_unit}”)",
        )
    if low > high:
        return _invalid(text, "区间下限大于上限", "the lower end of the range is above the upper end")
    return Quantity(Kind.RANGE, text, low=low, high=high, unit=high_unit)


def _parse_text(text: str, implied_op: str | None) -> Quantity | None:
    s = _fold(text)
    if not s:
        return None

    achievement = _ACHIEVEMENTS.get(s)
    if achievement is not None:
        return Quantity(Kind.ACHIEVEMENT, text, achievement=achievement)

    if _DATE_RE.match(s):
        return Quantity(Kind.QUALITATIVE, text)

    op_match = _match_op(s)
    if op_match is not None:
        return _parse_after_op(text, *op_match)

    range_match = _range_match(s)
    if range_match is not None:
        return _parse_range(text, range_match)

    head_match = _HEAD_RE.fullmatch(s)
    if head_match is not None:
        head, tail = head_match.group("head", "tail")
        if tail[:1] in tuple(_SEP_CHARS):
            # A separator with no second number ("5000-", "5000到卷"); without
            # this "到卷" would pass as a unit.
            rest = tail.lstrip(_SEP_CHARS)
            if not rest or _loose_tail(rest):
                return _invalid(text, f"区间“{head}{tail}”不完整", f"the range “{head}{tail}” is incomplete")
        elif not tail or _loose_tail(tail):
            value = _number(head)
            if value is None:
                return _invalid(text, f"无法识别数值“{head}”", f"cannot read the number “{head}”")
            unit = _unit(tail) if tail else None
            if tail and unit is None:
                return _invalid(
                    text,
                    f"无法识别“{head}”后的单位“{tail}”",
                    f"cannot read the unit “{tail}” after “{head}”",
                )
            return Quantity(Kind.QUANTITY, text, op=implied_op, value=value, unit=unit, implied=True)

    if _CODE_NUMBER_RE.fullmatch(s):
        return _invalid(
            text,
            "请写成普通的十进制数（如 1000），不用 1_000、0x10、1e5、.inf 这类写法",
            "write a plain decimal (such as 1000), not 1_000, 0x10, 1e5 or .inf",
        )
    return Quantity(Kind.QUALITATIVE, text)


def _parse(cell: object, implied_op: str | None) -> Quantity | None:
    try:
        if cell is None:
            return None
        # bool is an int subclass; a YAML "yes"/"no" is not the number 1/0.
        if isinstance(cell, bool):
            return Quantity(Kind.QUALITATIVE, str(cell))
        if isinstance(cell, (int, float, Decimal)):
            # str() of a float is its shortest round-trip form, so a YAML
            # 99.62 becomes Decimal("99.62"), not the binary approximation.
            text = str(cell)
            value = cell if type(cell) is Decimal else Decimal(text)  # str() of a Decimal reads back as itself
            if not value.is_finite():
                return _invalid(text, "数值不是有限数", "the number is not finite")
            return Quantity(Kind.QUANTITY, text, op=implied_op, value=value, implied=True)
        if isinstance(cell, str):
            return _parse_text_cached(cell, implied_op)
        return _invalid(
            repr(cell),
            f"无法识别的值类型“{type(cell).__name__}”",
            f"unsupported value type “{type(cell).__name__}”",
        )
    except Exception as exc:  # last line of the never-raise promise
        # Not repr(cell): that is what may have failed (e.g. an int too long
        # for str() under Python's int-to-str digit limit).
        return _invalid(f"<{type(cell).__name__}>", "无法识别", f"cannot read: {type(exc).__name__}")


# The same few hundred cell texts ("达成指标", "=100.00(%)", ...) recur across a
# bureau's forms; a Quantity is immutable, so a parsed text can be shared.
_parse_text_cached = functools.lru_cache(maxsize=8192)(lambda text, op: _parse_text(text, op))


def parse_target(text: str | int | float | Decimal | None) -> Quantity | None:
    """Parse a 年度指标值 cell; a number without an operator means "=".

    Returns None for a blank cell.
    """
    return _parse(text, "=")


def parse_actual(text: str | int | float | Decimal | None) -> Quantity | None:
    """Parse a 实际完成值 cell; a number without an operator keeps op None.

    Returns None for a blank cell.
    """
    return _parse(text, None)


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "=": operator.eq,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


def met(target: Quantity, actual: Quantity) -> bool | None:
    """Whether ``actual`` satisfies ``target``; None when it cannot be told.

    Units are not compared here: callers check ``units_agree`` separately so
    they can report a unit mismatch as its own finding.
    """
    if actual.kind is Kind.ACHIEVEMENT:
        # The form's own verdict; it outranks anything we could compute.
        return actual.achievement == "达成"

    # An actual written as "≥95%" only bounds the value, so it cannot decide.
    if actual.kind is not Kind.QUANTITY or actual.op not in (None, "=") or actual.value is None:
        return None
    value = actual.value

    if target.kind is Kind.QUANTITY and target.value is not None:
        # op None only arises if a parse_actual result is used as a target.
        compare = _COMPARE.get(target.op or "=")
        return None if compare is None else bool(compare(value, target.value))
    if target.kind is Kind.RANGE and target.low is not None and target.high is not None:
        return target.low <= value <= target.high
    return None


def units_agree(a: str | None, b: str | None) -> bool:
    """True if either unit is unwritten or both normalise to the same text."""
    if a is None or b is None:
        return True
    return _normalise_unit(a) == _normalise_unit(b)
