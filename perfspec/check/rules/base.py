"""What a rule sees (the document, the typed spec, the profile) and how it reports."""

import importlib
from decimal import Decimal
from typing import Callable, NamedTuple

from perfspec.diagnostics import Finding, Path, format_path
from perfspec.load.loader import Document
from perfspec.form.model import Spec
from perfspec.profile import Profile


class Rule(NamedTuple):
    code: str
    name: str
    severity: str  # default; a profile may change it
    summary: str  # Chinese, one line
    summary_en: str
    module: str  # its module in perfspec.check.rules
    check: Callable[["Context"], None] | None  # None: the loader reports it

    @property
    def doc(self) -> str:
        """The module docstring: explanation with a passing and a failing example."""
        return (importlib.import_module(f"perfspec.check.rules.{self.module}").__doc__ or "").strip()


class Context:
    def __init__(self, doc: Document, spec: Spec, profile: Profile) -> None:
        self.doc = doc
        self.spec = spec
        self.profile = profile
        self.rule: Rule | None = None
        self.findings: list[Finding] = []
        # Work several rules share (e.g. parsing every target and actual), done once per document.
        self.cache: dict[str, object] = {}
        self.layout_problem: str | None = None  # the spec's `layout:` could not be used (PS012 says why)

    def report(
        self,
        path: Path,
        zh: str,
        en: str,
        expected: object = None,
        severity: str | None = None,
        at_key: bool = False,
        key: str = "",
    ) -> None:
        assert self.rule is not None
        span = self.doc.key_span(path) if at_key else self.doc.span(path)
        self.findings.append(
            Finding(
                file=self.doc.file,
                line=span.line,
                column=span.column,
                code=self.rule.code,
                severity=severity or self.profile.severity_for(self.rule.code, self.rule.severity),
                message=zh,
                message_en=en,
                path=format_path(path),
                expected=None if expected is None else str(expected),
                end_line=span.end_line,
                end_column=span.end_column,
                where=path,
                key=key,
            )
        )

    def cannot(self, path: Path, zh_what: str, en_what: str) -> None:
        """A check that needs a blank cell says so instead of guessing."""
        self.report(path, f"无法检查：{zh_what}", f"cannot check: {en_what}", severity="info")


def fmt(value: Decimal | None, like: Decimal | None = None) -> str:
    """A number as a finance person writes it: no exponent; with `like`, as many
    decimals as the stated number it is compared with (95 beside 100.00 is 95.00)."""
    if value is None:
        return "（空）"
    if like is not None and like.is_finite() and value.is_finite():
        exp = like.as_tuple().exponent
        if isinstance(exp, int) and exp < value.as_tuple().exponent:  # type: ignore[operator]
            value = value.quantize(Decimal(1).scaleb(exp))
    return format(value, "f")


def approx(value: Decimal, places: int = 3) -> str:
    """`99.628…` for an inexact quotient, the exact digits otherwise."""
    shown = value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN")
    return fmt(shown) + ("…" if shown != value else "")
