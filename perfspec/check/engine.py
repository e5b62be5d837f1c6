"""The check engine: load a file, run the enabled rules, apply acknowledgements."""

from __future__ import annotations

import decimal
import functools
import os
from typing import TYPE_CHECKING, Iterable, Iterator

from perfspec.check import acknowledge
from perfspec.config import check_codes, selected
from perfspec.diagnostics import ERROR, Finding, Path, format_path
from perfspec.load.files import real_path, spec_files
from perfspec.load.loader import Document, load_file
from perfspec.form.layout import choose_layout
from perfspec.form.model import Form, build
from perfspec.profile import OFF, Profile
from perfspec.check.rules import all_rules
from perfspec.check.rules.base import Context, Rule

if TYPE_CHECKING:
    from perfspec.check.headers import Digest

SPEC_SUFFIXES = (".yaml", ".yml")


class Options:
    def __init__(
        self,
        profile: Profile,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        layout: str | None = None,
        root: str | None = None,
    ) -> None:
        self.profile = profile
        self.select = select if select is not None else ["PS"]
        self.ignore = ignore if ignore is not None else []
        # The layout a spec is read in unless it names its own; a repository file resolves under root.
        self.layout = layout or profile.layout
        self.root = root


class FileResult:
    __slots__ = ("file", "findings", "io_error", "io_error_en", "document", "form", "digest")

    def __init__(
        self,
        file: str,
        findings: list[Finding],
        io_error: str | None = None,
        io_error_en: str | None = None,
        document: Document | None = None,
    ) -> None:
        self.file = file
        self.findings = findings
        self.io_error = io_error
        self.io_error_en = io_error_en
        self.document = document
        self.form: Form | None = None  # the model the rules read, for whoever uses the document next
        self.digest: Digest | None = None  # what the checks across forms need of it (check/headers.py)


class Engine:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.rules = {rule.code: rule for rule in all_rules()}
        check_codes(self.options.select, self.options.ignore, sorted(self.rules))
        self.enabled_codes = {code for code in self.rules if self.enabled(code)}
        self.checks = [r for r in self.rules.values() if r.check is not None and r.code in self.enabled_codes]

    def enabled(self, code: str) -> bool:
        if not selected(code, self.options.select, self.options.ignore):
            return False
        rule = self.rules.get(code)
        default = rule.severity if rule else ERROR
        return self.options.profile.severity_for(code, default) != OFF

    def _severity(self, finding: Finding) -> Finding:
        """Loader findings are created as errors; the profile may say otherwise."""
        rule = self.rules.get(finding.code)
        if rule is None or finding.severity == "info":
            return finding
        wanted = self.options.profile.severity_for(finding.code, rule.severity)
        return finding if wanted == finding.severity else finding._replace(severity=wanted)

    def check_document(self, doc: Document, loader_findings: Iterable[Finding] = ()) -> list[Finding]:
        spec, layout_problem = self._model(doc)
        return self._check(doc, spec, layout_problem, loader_findings)

    def _model(self, doc: Document) -> tuple[Form, str | None]:
        """The form in its layout (its own `layout:`, else the configured one), and why that layout if it is not its own."""
        layout, layout_problem = choose_layout(doc.data, self.options.layout, self.options.root)
        return build(doc.data, layout), layout_problem

    def _check(self, doc: Document, spec: Form, layout_problem: str | None, loader_findings: Iterable[Finding]) -> list[Finding]:
        ctx = Context(doc, spec, self.options.profile)
        ctx.layout_problem = layout_problem
        # Room for any number the loader admits (±1e15, any digits) times another: the
        # default 28 digits would make a 30-digit total an InvalidOperation, not a finding.
        with decimal.localcontext(prec=100):
            for rule in self.checks:
                ctx.rule = rule
                assert rule.check is not None
                try:
                    rule.check(ctx)
                except Exception as exc:  # noqa: BLE001 - one rule's bug must not stop the run
                    self._rule_failed(ctx, rule, exc)
        findings = [self._severity(f) for f in loader_findings if f.code in self.enabled_codes]
        findings += ctx.findings

        def make(path: Path, code: str, zh: str, en: str) -> Finding | None:
            if code not in self.enabled_codes:
                return None
            span = doc.key_span(path)
            rule = self.rules[code]
            return Finding(
                doc.file, span.line, span.column, code,
                self.options.profile.severity_for(code, rule.severity), zh, en, format_path(path),
                end_line=span.end_line, end_column=span.end_column, where=path,
            )

        findings = acknowledge.apply(
            doc, spec, findings, make, lambda code: code in self.enabled_codes, lambda code: code in self.rules
        )
        return sorted(findings, key=Finding.sort_key)

    def _rule_failed(self, ctx: Context, rule: Rule, exc: Exception) -> None:
        ctx.findings.append(
            Finding(
                ctx.doc.file, 1, 1, "PS009", ERROR,
                f"规则 {rule.code}（{rule.summary}）无法检查这张表（内部错误 {type(exc).__name__}），"
                "其余规则照常检查；请把这张表报告给 perfspec 的维护者",
                f"rule {rule.code} ({rule.name}) failed on this form ({type(exc).__name__}); "
                "the other rules ran; please report this form to the perfspec maintainers",
                "",
            )
        )

    def check_file(self, path: str, display: str | None = None) -> FileResult:
        shown = display or path
        loaded = load_file(path, shown)
        if loaded.io_error:
            return FileResult(shown, [], loaded.io_error, loaded.io_error_en)
        if loaded.document is None:
            # A file that cannot be read at all fails whatever is selected: a hook that
            # selects only PS201 must not let broken YAML through as "0 errors".
            return FileResult(shown, sorted(loaded.findings, key=Finding.sort_key))
        spec, layout_problem = self._model(loaded.document)
        result = FileResult(shown, self._check(loaded.document, spec, layout_problem, loaded.findings), document=loaded.document)
        result.form = spec
        return result


def collect(paths: Iterable[str]) -> Iterator[str]:
    """Files as given, and every *.yaml / *.yml below folders, in a stable order, each once.

    Links to folders are not followed, so a symlink loop cannot trap the walk; a link
    leading out of the repository is yielded, so that reading it reports it (never skipped).
    """
    seen: set[str] = set()
    real_folders: dict[str, str] = {}  # each folder resolved once, not once per form
    for path in _walk(paths):
        key = real_path(path, real_folders)
        if key not in seen:
            seen.add(key)
            yield path


def _walk(paths: Iterable[str]) -> Iterator[str]:
    # Iterative: os.walk recursed once per folder level, and 1,200 nested folders crashed every command.
    return spec_files(paths, SPEC_SUFFIXES)


def display_name(path: str) -> str:
    """Relative to the working folder where that is shorter, as compilers print it."""
    folder, name = os.path.split(path)
    try:
        if name in ("", ".", ".."):
            rel = os.path.relpath(path)
        else:
            # relpath is pure Python and walks both paths: once per folder, not once per form.
            above = _relative_folder(folder or ".", os.getcwd())
            rel = name if above == "." else os.path.join(above, name)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path


@functools.lru_cache(maxsize=1024)
def _relative_folder(folder: str, cwd: str) -> str:
    return os.path.relpath(folder, cwd)

