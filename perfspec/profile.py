"""Profiles: the jurisdiction's thresholds, bands and rounding, as YAML data."""

import os
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from perfspec.diagnostics import ERROR, INFO, WARNING
from perfspec.load.datafile import read_chain

PROFILE_DIR = os.path.join(os.path.dirname(__file__), "profiles")
# The rounding methods a profile may name for the execution rate and the budget score.
ROUNDINGS = {"truncate": ROUND_DOWN, "half_up": ROUND_HALF_UP}
ROUNDING_ZH = {"truncate": "截断两位", "half_up": "四舍五入两位"}
ROUNDING_EN = {"truncate": "truncated to 2 decimals", "half_up": "rounded half-up to 2 decimals"}
OFF = "off"
_LEVELS = (ERROR, WARNING, INFO, OFF)


class ProfileError(Exception):
    """A profile or configuration that cannot be used; the message names the file."""


class Profile(NamedTuple):
    name: str
    title: str
    title_en: str
    rate_rounding: tuple[str, ...]
    score_rounding: tuple[str, ...]
    tolerance: Decimal
    decimals: int
    grades: tuple[tuple[str, Decimal], ...]
    level1_weights: dict[str, Decimal] | None
    categories: dict[str, tuple[str, ...]]
    trivial_notes: frozenset[str]
    advice_tolerance: Decimal
    qualitative_tiers: dict[str, tuple[Decimal, Decimal]]
    over_achievement: Decimal | None
    severity: dict[str, str] = {}  # never mutated: shared default is safe
    layout: str = "national-2020"
    level1_aliases: dict[str, str] = {}
    template_prompts: tuple[str, ...] = ()
    adjustment_note: bool = False
    # Monitoring (绩效运行监控表): the lowest acceptable 全年预计执行数 ÷ budget (%), and how far below the
    # pro-rata share of the months monitored (% of that share) a 确定能 indicator's progress may fall. None: off.
    forecast_rate_min: Decimal | None = Decimal(90)
    pace_min: Decimal | None = Decimal(50)
    # A deviation note shorter than this (whitespace removed) is too short to count as copied (PS703, PS704).
    copied_note_min: int = 10

    def grade_for(self, total: Decimal) -> str:
        for grade, minimum in self.grades:
            if total >= minimum:
                return grade
        return self.grades[-1][0]

    def band_text(self) -> str:
        """优 ≥90，良 80–<90，中 60–<80，差 <60: the bands as the rules state them."""
        parts = []
        for i, (grade, minimum) in enumerate(self.grades):
            upper = self.grades[i - 1][1] if i else None
            last = i == len(self.grades) - 1
            if upper is None:
                parts.append(f"{grade} ≥{minimum}")
            elif last:
                parts.append(f"{grade} <{upper}")
            else:
                parts.append(f"{grade} {minimum}–<{upper}")
        return "，".join(parts)

    def severity_for(self, code: str, default: str) -> str:
        best = ""
        for prefix in self.severity:
            if code.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        return self.severity[best] if best else default


def builtin_profiles() -> list[str]:
    return sorted(name[:-5] for name in os.listdir(PROFILE_DIR) if name.endswith(".yaml"))


def _locate(name: str, base: str | None) -> str:
    if name.endswith((".yaml", ".yml")) or os.sep in name or "/" in name:
        path = os.path.normpath(name if os.path.isabs(name) or base is None else os.path.join(base, name))
        if not os.path.isfile(path):
            raise ProfileError(f"找不到规则配置文件（profile）{path}")
        return path
    path = os.path.join(PROFILE_DIR, name + ".yaml")
    if not os.path.isfile(path):
        raise ProfileError(f"没有名为“{name}”的规则配置（profile）；内置的有：{'、'.join(builtin_profiles())}")
    return path


def _raw(name: str, base: str | None) -> dict[str, Any]:
    # A profile's keys are replaced whole by a child's (its sections are small lists and tables).
    return read_chain(name, _locate, base, ProfileError, lambda parent, child: {**parent, **child}, relative_to_file=True)[0]


def _methods(value: Any, key: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ProfileError(f"profile {name}: {key} 应为非空列表，如 [truncate] 或 [truncate, half_up]")
    for method in value:
        if method not in ROUNDINGS:
            raise ProfileError(f"profile {name}: {key} 中有未知的舍入方式 {method}（可用 truncate、half_up）")
    return tuple(value)


def _dec(value: Any, key: str, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise ProfileError(f"profile {name}: {key} 应为数字")
    return Decimal(value)


def _monitoring(value: Any, name: str) -> dict[str, Decimal | None]:
    """The `monitoring:` section; a key left out keeps its default, a key set to null switches its check off."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProfileError(f"profile {name}: monitoring 应为映射，如 {{forecast_rate_min: 90, pace_min: 50}}")
    out: dict[str, Decimal | None] = {}
    for key in ("forecast_rate_min", "pace_min"):
        if key in value:
            out[key] = None if value[key] is None else _dec(value[key], f"monitoring.{key}", name)
    unknown = sorted(set(value) - {"forecast_rate_min", "pace_min"})
    if unknown:
        raise ProfileError(f"profile {name}: monitoring 中有未知的设置项 {'、'.join(map(str, unknown))}（可用 forecast_rate_min、pace_min）")
    return out


def load_profile(name: str, base: str | None = None) -> Profile:
    data = _raw(name, base)
    pname = str(data.get("name", name))
    try:
        rate_rounding = _methods(data["rate_rounding"], "rate_rounding", pname)
        score_rounding = _methods(data["score_rounding"], "score_rounding", pname)
        if not isinstance(data["grades"], list) or not data["grades"]:
            raise ProfileError(f"profile {pname}: grades 应为非空列表，如 [{{grade: 优, min: 90}}, …]")
        # Highest band first, whatever order the file lists them in.
        grades = tuple(
            sorted(
                ((str(g["grade"]), _dec(g["min"], "grades.min", pname)) for g in data["grades"]),
                key=lambda band: band[1],
                reverse=True,
            )
        )
        weights = data.get("level1_weights")
        severity = {str(k): str(v) for k, v in (data.get("severity") or {}).items()}
        for code, level in severity.items():
            if level not in _LEVELS:
                raise ProfileError(f"profile {pname}: severity.{code} 应为 {'、'.join(_LEVELS)} 之一")
        over = data.get("over_achievement")
        return Profile(
            name=pname,
            title=str(data.get("title", pname)),
            title_en=str(data.get("title_en", pname)),
            rate_rounding=rate_rounding,
            score_rounding=score_rounding,
            tolerance=_dec(data.get("tolerance", 0), "tolerance", pname),
            decimals=int(data.get("decimals", 2)),
            grades=grades,
            level1_weights=(
                {str(k): _dec(v, "level1_weights", pname) for k, v in weights.items()} if weights else None
            ),
            categories={str(k): tuple(str(x) for x in v) for k, v in data["categories"].items()},
            trivial_notes=frozenset(str(x) for x in data.get("trivial_notes", [])),
            advice_tolerance=_dec(data.get("advice_tolerance", Decimal("0.01")), "advice_tolerance", pname),
            qualitative_tiers={
                str(k): (_dec(v[0], "qualitative_tiers", pname), _dec(v[1], "qualitative_tiers", pname))
                for k, v in data["qualitative_tiers"].items()
            },
            over_achievement=None if over is None else _dec(over, "over_achievement", pname),
            severity=severity,
            layout=str(data.get("layout", "national-2020")),
            level1_aliases={str(k): str(v) for k, v in (data.get("level1_aliases") or {}).items()},
            template_prompts=tuple(str(x) for x in data.get("template_prompts") or ()),
            adjustment_note=bool(data.get("adjustment_note")),
            **_monitoring(data.get("monitoring"), pname),
            copied_note_min=int(_dec(data.get("copied_note_min", 10), "copied_note_min", pname)),
        )
    except ProfileError:
        raise
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        raise ProfileError(f"profile {pname}: 缺少或无法读取设置项 {exc}") from None
