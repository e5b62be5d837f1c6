"""Category captions as forms print them: the name, and the points a caption may carry."""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal

# 产出指标(50分), 产出指标（50 分）, 数量指标(10分), 产出指标 50分
_CAPTION_RE = re.compile(r"(?P<name>.+?)\s*(?:[(（]\s*(?P<p1>[0-9]+(?:\.[0-9]+)?)\s*分?\s*[)）]|(?P<p2>[0-9]+(?:\.[0-9]+)?)\s*分)\s*")


@functools.lru_cache(maxsize=4096)  # ~14 captions a form, the same few in every form
def caption(key: str) -> tuple[str, Decimal | None]:
    """A category caption as printed → (name, stated points or None)."""
    folded = unicodedata.normalize("NFKC", key)
    match = _CAPTION_RE.fullmatch(folded)
    if match is None:
        return key.strip(), None
    points = match.group("p1") or match.group("p2")
    return match.group("name").strip(), Decimal(points)
