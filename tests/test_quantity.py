"""Tests for perfspec.form.quantity: cell texts seen on real forms, the INVALID
cases, met() truth tables and the promise that parsing never raises."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from perfspec.form.quantity import Kind, Quantity, met, parse_actual, parse_target, units_agree

D = Decimal


# --------------------------------------------------------------------------
# QUANTITY: (text, op as target, value, unit)
# --------------------------------------------------------------------------

QUANTITY_CASES: list[tuple[str, str, Decimal, str | None]] = [
    ("=100.00(%)", "=", D("100.00"), "%"),
    ("≥6816.00(批次)", ">=", D("6816"), "批次"),
    ("≤5.00(分钟)", "<=", D("5"), "分钟"),
    (">=90%", ">=", D("90"), "%"),
    ("<=2%", "<=", D("2"), "%"),
    ("≧735人次", ">=", D("735"), "人次"),
    ("≦5分钟", "<=", D("5"), "分钟"),
    ("═100%", "=", D("100"), "%"),
    ("＝100%", "=", D("100"), "%"),
    ("﹦100%", "=", D("100"), "%"),
    ("⩾95%", ">=", D("95"), "%"),
    ("⩽95%", "<=", D("95"), "%"),
    ("≮95%", ">=", D("95"), "%"),
    ("≯5天", "<=", D("5"), "天"),
    ("＞90%", ">", D("90"), "%"),
    ("≥95(%)", ">=", D("95"), "%"),
    ("=100(%)", "=", D("100"), "%"),
    ("=0(%)", "=", D("0"), "%"),
    ("≥30.00(万)", ">=", D("30"), "万"),
    ("≤50000.00(条/月)", "<=", D("50000"), "条/月"),
    ("≤66.00(把/年)", "<=", D("66"), "把/年"),
    ("=4000.00(万平方米)", "=", D("4000"), "万平方米"),
    ("30 万页", "=", D("30"), "万页"),
    ("30000 卷", "=", D("30000"), "卷"),
    ("＝１００．００（％）", "=", D("100"), "%"),
    ("１００％", "=", D("100"), "%"),
    ("100%", "=", D("100"), "%"),
    ("100.00(%)", "=", D("100"), "%"),
    ("5.00(分钟)", "=", D("5"), "分钟"),
    ("6839.00(批次)", "=", D("6839"), "批次"),
    ("1,234.5 元", "=", D("1234.5"), "元"),
    ("1,234,567元", "=", D("1234567"), "元"),
    ("> 90 %", ">", D("90"), "%"),
    ("≥ 90.00 (%)", ">=", D("90"), "%"),
    ("  ≥\u300090.00\t(%)  ", ">=", D("90"), "%"),
    ("< 1 天", "<", D("1"), "天"),
    ("-5%", "=", D("-5"), "%"),
    ("≥-5%", ">=", D("-5"), "%"),
    ("−5%", "=", D("-5"), "%"),  # U+2212 minus sign
    ("100", "=", D("100"), None),
    ("0.5", "=", D("0.5"), None),
    ("100【%】", "=", D("100"), "%"),
    ("100［%］", "=", D("100"), "%"),
    ("10m²", "=", D("10"), "m2"),
    ("≤38℃", "<=", D("38"), "°C"),
    ("≥90\u200b%", ">=", D("90"), "%"),  # zero-width space from copy-paste
]


@pytest.mark.parametrize(("text", "op", "value", "unit"), QUANTITY_CASES)
def test_quantity_target(text: str, op: str, value: Decimal, unit: str | None) -> None:
    q = parse_target(text)
    assert q is not None
    assert q.kind is Kind.QUANTITY
    assert q.text == text
    assert q.op == op
    assert q.value == value
    assert q.unit == unit
    assert (q.low, q.high, q.achievement, q.problem, q.problem_en) == (None,) * 5


@pytest.mark.parametrize(("text", "op", "value", "unit"), QUANTITY_CASES)
def test_quantity_actual_keeps_written_op_only(
    text: str, op: str, value: Decimal, unit: str | None
) -> None:
    q = parse_actual(text)
    assert q is not None and q.kind is Kind.QUANTITY
    # An actual has no implied "=": op is None unless an operator was written.
    has_operator = text.strip()[0] in "=＝﹦═≥≧⩾≮≤≦⩽≯<>＞＜"
    expected_op = op if has_operator else None
    assert q.op == expected_op
    assert (q.value, q.unit) == (value, unit)


def test_value_keeps_written_precision() -> None:
    q = parse_target("=100.00(%)")
    assert q is not None and q.value is not None
    assert str(q.value) == "100.00"


# --------------------------------------------------------------------------
# YAML numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value", "text"),
    [
        (100, D("100"), "100"),
        (0, D("0"), "0"),
        (-5, D("-5"), "-5"),
        (D("99.62"), D("99.62"), "99.62"),
        (D("100.00"), D("100.00"), "100.00"),
        (99.62, D("99.62"), "99.62"),  # a YAML float keeps its printed digits
    ],
)
def test_yaml_numbers(cell: int | float | Decimal, value: Decimal, text: str) -> None:
    target = parse_target(cell)
    actual = parse_actual(cell)
    # No operator was written: `implied` says so, and the rules choose the direction (a floor,
    # a ceiling for costs and zero targets, or the 指标性质 column) and state it.
    assert target == Quantity(Kind.QUANTITY, text, op="=", value=value, implied=True)
    assert actual == Quantity(Kind.QUANTITY, text, op=None, value=value, implied=True)
    assert target.value is not None and str(target.value) == text


@pytest.mark.parametrize("cell", [D("NaN"), D("Infinity"), float("nan"), float("-inf")])
def test_non_finite_numbers_are_invalid(cell: Decimal | float) -> None:
    q = parse_target(cell)
    assert q is not None and q.kind is Kind.INVALID and q.problem


def test_yaml_bool_is_not_a_number() -> None:
    q = parse_target(True)  # type: ignore[arg-type]
    assert q is not None and q.kind is Kind.QUALITATIVE and q.value is None


@pytest.mark.parametrize(
    "cell", [[1, 2], {"a": 1}, object(), 10**5000], ids=["list", "dict", "object", "huge-int"]
)
def test_odd_values_do_not_raise(cell: object) -> None:
    q = parse_target(cell)  # type: ignore[arg-type]
    assert q is not None and q.kind is Kind.INVALID and q.problem and q.problem_en


# --------------------------------------------------------------------------
# RANGE
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("5000-6000 卷", D("5000"), D("6000"), "卷"),
        ("5000～6000卷", D("5000"), D("6000"), "卷"),
        ("5000~6000 卷", D("5000"), D("6000"), "卷"),
        ("5000—6000卷", D("5000"), D("6000"), "卷"),
        ("5000——6000卷", D("5000"), D("6000"), "卷"),
        ("5000–6000卷", D("5000"), D("6000"), "卷"),
        ("5000〜6000卷", D("5000"), D("6000"), "卷"),
        ("5000 - 6000 (卷)", D("5000"), D("6000"), "卷"),
        ("3到5天", D("3"), D("5"), "天"),
        ("3至5个工作日", D("3"), D("5"), "个工作日"),
        ("5%~10%", D("5"), D("10"), "%"),
        ("5万-6万", D("5"), D("6"), "万"),
        ("90-100", D("90"), D("100"), None),
        ("-5-5%", D("-5"), D("5"), "%"),
        ("5-5%", D("5"), D("5"), "%"),
        ("1,000-2,000元", D("1000"), D("2000"), "元"),
    ],
)
def test_range(text: str, low: Decimal, high: Decimal, unit: str | None) -> None:
    for parse in (parse_target, parse_actual):
        q = parse(text)
        assert q is not None
        assert q.kind is Kind.RANGE
        assert (q.low, q.high, q.unit, q.op, q.value) == (low, high, unit, None, None)
        assert q.text == text


# --------------------------------------------------------------------------
# ACHIEVEMENT and QUALITATIVE
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "achievement"),
    [
        ("达成指标", "达成"),
        ("部分达成指标", "部分达成"),
        ("未达成指标", "未达成"),
        ("达成", "达成"),
        ("部分达成", "部分达成"),
        ("未达成", "未达成"),
        (" 达成指标 ", "达成"),
    ],
)
def test_achievement(text: str, achievement: str) -> None:
    for parse in (parse_target, parse_actual):
        q = parse(text)
        assert q == Quantity(Kind.ACHIEVEMENT, text, achievement=achievement)


@pytest.mark.parametrize(
    "text",
    [
        "达标",
        "及时",
        "提升",
        "稳定",
        "完成",
        "健全",
        "在规定的时间内全部",
        "成本控制不超预算",
        "第3季度完成",
        "提升10%",
        "满意度≥90%",
        "2023年12月31日前完成",
        "2023.12.31",
        "2023-12-31",
        "100%以上",  # a phrase, not the unit "%以上"
        "95分左右",
        "3天内完成",
        "1-2个工作日内完成",
        "NaN",
        "-",
        "不适用",
    ],
)
def test_qualitative(text: str) -> None:
    for parse in (parse_target, parse_actual):
        assert parse(text) == Quantity(Kind.QUALITATIVE, text)


@pytest.mark.parametrize("cell", [None, "", " ", "\t\n", "\u3000", "\u200b", "\ufeff "])
def test_blank_is_none(cell: str | None) -> None:
    assert parse_target(cell) is None
    assert parse_actual(cell) is None


# --------------------------------------------------------------------------
# INVALID
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("≥", "无法识别“≥”后的数值"),
        ("≧", "无法识别“≥”后的数值"),
        ("=", "无法识别“=”后的数值"),
        ("=abc(%)", "无法识别“=”后的数值"),
        ("≥-", "无法识别“≥”后的数值"),
        ("≥≥95%", "无法识别“≥”后的数值"),
        ("≥%", "无法识别“≥”后的数值"),
        ("1.2.3%", "无法识别数值“1.2.3”"),
        ("≥1.2.3%", "无法识别“≥”后的数值“1.2.3”"),
        ("1,23万", "无法识别数值“1,23”"),
        ("1234,5元", "无法识别数值“1234,5”"),
        ("100.%", "无法识别数值“100.”"),
        ("5 000 元", "无法识别数值“5 000”"),
        ("≥95%以上", "无法识别“≥95”后的单位“%以上”"),
        ("=100(%", "无法识别“=100”后的单位“(%”"),
        ("100(%", "无法识别“100”后的单位“(%”"),
        ("≤5分钟。", "无法识别“≤5”后的单位“分钟。”"),
        ("≥5-6%", "“≥”后不能是区间"),
        ("5000-", "区间“5000-”不完整"),
        ("5000-卷", "区间“5000-卷”不完整"),
        ("5000到 卷", "区间“5000到卷”不完整"),
        ("6000-5000卷", "区间下限大于上限"),
        ("5万-60000", "区间上限缺少单位"),
        ("5%-10万", "区间两端单位不一致（“%”与“万”）"),
        ("≥NaN", "无法识别“≥”后的数值"),
    ],
)
def test_invalid(text: str, problem: str) -> None:
    for parse in (parse_target, parse_actual):
        q = parse(text)
        assert q is not None
        assert q.kind is Kind.INVALID
        assert q.text == text
        assert q.problem == problem
        assert q.problem_en
        assert (q.op, q.value, q.low, q.high, q.unit, q.achievement) == (None,) * 6


# --------------------------------------------------------------------------
# met()
# --------------------------------------------------------------------------


def _t(text: str | int) -> Quantity:
    q = parse_target(text)
    assert q is not None
    return q


def _a(text: str | int) -> Quantity:
    q = parse_actual(text)
    assert q is not None
    return q


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        # "="
        ("=100.00(%)", "100.00(%)", True),
        ("=100(%)", "99(%)", False),
        ("=100(%)", "101%", False),
        ("=100", "100", True),
        ("=0.3", "0.30", True),  # Decimal exactness: 0.3 == 0.30
        ("=0.3", "0.3000000000000000001", False),
        ("=0(%)", "0", True),
        ("30 万页", "30万页", True),  # no operator on a target means "="
        ("=100(%)", "=100(%)", True),  # an actual written with "=" is still a value
        # ">=" and "<=" include the boundary
        ("≥95.00(%)", "95(%)", True),
        ("≥95.00(%)", "94.99(%)", False),
        ("≥95.00(%)", "100.00(%)", True),
        ("≤5.00(分钟)", "5.00(分钟)", True),
        ("≤5.00(分钟)", "5.01(分钟)", False),
        ("≤5.00(分钟)", "4(分钟)", True),
        ("≤100.00(%)", "99.62(%)", True),
        # ">" and "<" exclude it
        (">90%", "90%", False),
        (">90%", "90.01%", True),
        ("<2%", "2%", False),
        ("<2%", "1.99%", True),
        ("≥-5%", "-5%", True),
        ("≥-5%", "-6%", False),
        # ranges are inclusive at both ends
        ("5000-6000卷", "5000卷", True),
        ("5000-6000卷", "6000卷", True),
        ("5000-6000卷", "5500卷", True),
        ("5000-6000卷", "4999.99卷", False),
        ("5000-6000卷", "6000.01卷", False),
        # units are not met()'s business
        ("≥95%", "96分", True),
        # the actual's achievement verdict wins, whatever the target
        ("稳定", "达成指标", True),
        ("完成", "部分达成指标", False),
        ("完成", "未达成指标", False),
        ("≥95%", "达成", True),
        ("≥95%", "未达成", False),
        ("5000-6000卷", "部分达成", False),
        ("≥", "达成指标", True),
        # cannot tell
        ("稳定", "稳定", None),
        ("达标", "100%", None),
        ("≥95%", "稳定", None),
        ("5000-6000卷", "全部完成", None),
        ("≥95%", "≥96%", None),  # an actual bound is not a value
        ("≥95%", "90-100%", None),
        ("≥95%", "1.2.3%", None),
        ("≥", "100%", None),
        ("达成指标", "100%", None),
    ],
)
def test_met(target: str, actual: str, expected: bool | None) -> None:
    assert met(_t(target), _a(actual)) is expected


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        (100, 100, True),
        (100, 99, False),
        (D("0.3"), D("0.30"), True),
        ("≤5.00(分钟)", D("5"), True),
    ],
)
def test_met_with_yaml_numbers(
    target: str | int | Decimal, actual: int | Decimal, expected: bool
) -> None:
    t, a = parse_target(target), parse_actual(actual)
    assert t is not None and a is not None
    assert met(t, a) is expected


def test_met_treats_target_without_op_as_equality() -> None:
    # A parse_actual() result used as a target has op None.
    assert met(_a("100"), _a("100")) is True
    assert met(_a("100"), _a("99")) is False


# --------------------------------------------------------------------------
# units_agree()
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, None, True),
        ("%", None, True),
        (None, "分钟", True),
        ("%", "%", True),
        ("%", "％", True),
        (" % ", "%", True),
        ("(%)", "%", True),
        ("（分钟）", "分钟", True),
        ("条/月", "条／月", True),
        ("%", "分钟", False),
        ("万", "万元", False),
        ("批次", "次", False),
    ],
)
def test_units_agree(a: str | None, b: str | None, expected: bool) -> None:
    assert units_agree(a, b) is expected


def test_parsed_units_agree_across_spellings() -> None:
    t, a = _t("＝１００．００（％）"), _a("100 %")
    assert units_agree(t.unit, a.unit)
    assert not units_agree(_t("≤5(分钟)").unit, _a("5小时").unit)


# --------------------------------------------------------------------------
# Never raises
# --------------------------------------------------------------------------

# Characters the parser gives meaning to, so random strings reach every branch
# rather than almost always falling straight through to QUALITATIVE.
_INTERESTING = (
    "0123456789０１２３４５６７８９.,，．-−－~～〜—–至到+"
    "=＝═﹦≥≧⩾≮≤≦⩽≯<>＞＜ ()（）[]【】%％‰/／"
    "万元人次分钟批卷页条月年天达成部分未指标以上内完"
    "mkg²³℃㎡\u200b\u3000\t\n"
)


def _check_invariants(cell: object) -> None:
    for parse in (parse_target, parse_actual):
        q = parse(cell)  # type: ignore[arg-type]
        if q is None:
            continue
        assert isinstance(q, Quantity)
        if q.kind is Kind.QUANTITY:
            assert q.value is not None and q.value.is_finite()
        elif q.kind is Kind.RANGE:
            assert q.low is not None and q.high is not None and q.low <= q.high
        elif q.kind is Kind.ACHIEVEMENT:
            assert q.achievement in ("达成", "部分达成", "未达成")
        elif q.kind is Kind.INVALID:
            assert q.problem and q.problem_en
        # met() and units_agree() must cope with whatever the parser returns.
        met(q, q)
        units_agree(q.unit, q.unit)


def _random_char(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(_INTERESTING)
    if roll < 0.8:
        return chr(rng.randint(0x20, 0x7E))
    if roll < 0.95:
        return chr(rng.randint(0x80, 0xFFFF))  # includes lone surrogates
    return chr(rng.randint(0x10000, 0x10FFFF))


def _form_like(rng: random.Random) -> str:
    """op? number (sep number)? unit?, then a few random edits."""
    number = lambda: str(rng.randint(-10, 100_000)) + rng.choice(["", ".00", ".5", ".", ",000"])  # noqa: E731
    parts = [rng.choice(["", "", "=", "≥", "≦", "═", "> ", "<="]), number()]
    if rng.random() < 0.4:
        parts += [rng.choice(["-", "~", "～", "—", "——", "至"]), number()]
    parts.append(rng.choice(["", "%", "(%)", "（％）", " 卷", "(条/月)", "万页", "以上", "m²"]))
    chars = list("".join(parts))
    for _ in range(rng.choice([0, 0, 1, 2])):
        chars.insert(rng.randint(0, len(chars)), _random_char(rng))
    return "".join(chars)


def _random_strings(count: int) -> list[str]:
    rng = random.Random(0)
    out: list[str] = []
    for _ in range(count):
        if rng.random() < 0.5:
            out.append(_form_like(rng))
        else:
            out.append("".join(_random_char(rng) for _ in range(rng.randint(0, 16))))
    return out


def test_random_strings_reach_every_kind() -> None:
    # Guards the generator: a never-raises test whose inputs all fell through
    # to QUALITATIVE would prove little.
    kinds = {q.kind for q in map(parse_target, _random_strings(400)) if q is not None}
    assert kinds >= {Kind.QUANTITY, Kind.RANGE, Kind.QUALITATIVE, Kind.INVALID}


@pytest.mark.parametrize("text", _random_strings(400))
def test_never_raises_random(text: str) -> None:
    _check_invariants(text)


@pytest.mark.parametrize(
    "text",
    [
        "1" * 100_000 + "x",
        "1" * 50_000 + "-" + "2" * 50_000 + "卷",
        "≥" + "1." * 50_000,
        "(" * 10_000 + "%" + ")" * 10_000,
        "\x00",
        "\ud800",
    ],
    ids=["long-number", "long-range", "many-dots", "deep-brackets", "nul", "lone-surrogate"],
)
def test_never_raises_pathological(text: str) -> None:
    _check_invariants(text)


# database=None below: the example database would otherwise be written into
# the repository as .hypothesis/ on every run.
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=500, deadline=None, database=None)
@given(st.text())
def test_never_raises_hypothesis_any_text(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=500, deadline=None, database=None)
@given(st.text(alphabet=_INTERESTING, max_size=20))
def test_never_raises_hypothesis_form_like_text(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.sampled_from(["=", "≥", "≧", ">=", "≤", "≦", "<=", ">", "<", "═", "＝"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9),
    st.sampled_from(
        [("", None), ("%", "%"), ("(%)", "%"), ("（％）", "%"), ("人次", "人次"),
         ("(条/月)", "条/月"), (" 万元", "万元")]
    ),
)
def test_operator_number_unit_round_trip(
    op: str, value: Decimal, unit: tuple[str, str | None]
) -> None:
    written, normalised = unit
    q = parse_target(f"{op} {value:f}{written}")
    assert q is not None and q.kind is Kind.QUANTITY
    assert q.value == value
    assert q.unit == normalised


@pytest.mark.parametrize(
    ("cell", "unit"),
    [(">=98%(百分比)", "%"), ("≥100百分比", "%"), ("５０个(个)", "个"), ("≥９０％", "%")],
)
def test_units_as_budget_systems_print_them(cell: str, unit: str) -> None:
    q = parse_target(cell)
    assert q is not None and q.kind is Kind.QUANTITY and q.unit == unit, q
    assert units_agree(q.unit, "%(百分比)") == (unit == "%")


def test_a_target_without_operator_is_marked_implied() -> None:
    assert parse_target("90%").implied and not parse_target("≥90%").implied
