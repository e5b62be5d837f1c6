"""Form kinds: which form a spec is. The three project kinds are stages of one year."""

from typing import NamedTuple


class Kind(NamedTuple):
    key: str
    zh: str
    en: str
    layout: str  # the layout a spec of this kind uses when it names none
    actuals: bool  # the form reports what was achieved
    scored: bool  # the form can carry points


SELF_EVALUATION = "self-evaluation"
KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(SELF_EVALUATION, "项目支出绩效自评表", "project self-evaluation", "national-2020", True, True),
        Kind("target-table", "项目支出绩效目标表", "target table", "target-table", False, False),
        Kind("monitoring", "项目支出绩效运行监控表", "mid-year monitoring form", "monitoring", False, False),
        Kind("department-overall", "部门整体支出绩效自评表", "department overall self-evaluation", "department-overall", True, True),
        Kind("transfer-payment", "转移支付区域绩效自评表", "transfer-payment regional self-evaluation", "transfer-payment", True, True),
    )
}


def kind_of(value: object) -> Kind:
    """The spec's kind; a missing or unknown one is a self-evaluation (the schema reports unknown ones)."""
    return KINDS.get(value if isinstance(value, str) else SELF_EVALUATION, KINDS[SELF_EVALUATION])
