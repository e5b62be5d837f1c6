"""The finding record every check produces, and how a YAML path is written."""

from typing import Iterable, NamedTuple, Union

PathPart = Union[str, int]
Path = tuple[PathPart, ...]

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告", INFO: "提示"}


class Finding(NamedTuple):
    """One problem at one place. The rule code is a field, never parsed out of text.

    A NamedTuple rather than a dataclass: immutable, cheap to pickle between
    worker processes, and `dataclasses` (with `inspect`) costs a pre-commit
    hook ~30 ms of import time.
    """

    file: str
    line: int  # 1-based
    column: int  # 1-based
    code: str
    severity: str
    message: str  # Chinese
    message_en: str
    path: str  # e.g. indicators.产出指标.时效指标[0].score
    expected: str | None = None
    end_line: int | None = None
    end_column: int | None = None
    acknowledged: str | None = None  # the reason, when the spec acknowledges it
    where: Path = ()  # `path` as parts, for matching
    # What tells apart two findings of one rule at one place (e.g. which level-1 is missing);
    # with code and path it is the finding's identity, never the message text.
    key: str = ""

    def text(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message

    def acknowledge(self, reason: str) -> "Finding":
        return self._replace(acknowledged=reason)

    @property
    def fails(self) -> bool:
        return self.severity == ERROR and self.acknowledged is None

    def identity(self) -> tuple[str, str, str]:
        """What the finding is, in any language and whatever its numbers: code, YAML path, key."""
        return (self.code, self.path, self.key)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.code, self.path, self.message)


def format_path(path: Iterable[PathPart]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
