"""PDF → FormData: the tables of the PDF, read with pdfplumber (`pip install 'perfspec[pdf]'`).

Each table row becomes a row of cells (``None`` where a merged cell covers
the grid position) and goes through the same assembly as a text extraction
(:func:`perfspec.importers.text.assemble`); text outside the tables (the
title, "(2023 年度)") becomes one-cell rows in reading order.

Two things a PDF loses are put back:

- Chinese fonts map many ideographs to the same glyph as a radical
  (门 and ⻔, 目 and ⽬); the PDF's text layer often names the radical.
  Radicals are mapped back to the ideographs (Kangxi radicals by Unicode
  compatibility, the CJK radicals supplement by the glyph table of Noto
  Sans CJK SC).
- A line wrapped inside a cell drops the space it was wrapped at. Whether
  there was one: never between two Chinese characters; always when the
  first word of the next line would have fitted on the line before (the
  break must have been at a space); never inside brackets or before a
  comma; a number or ASCII word cut off from Chinese text is spaced on both
  sides alike ("差评3件", "清单 24 份"), so its other side tells; otherwise
  the form's own habit elsewhere decides (", " or ","). A join that nothing
  decides is flagged for review.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional

from perfspec.importers import FormData, NotAForm
from perfspec.form.layout import Layout
from perfspec.importers.rows import Row, not_a_form, squash
from perfspec.importers.text import assemble

_RADICALS_FROM = '⺂⺃⺅⺇⺉⺋⺍⺏⺐⺒⺓⺔⺕⺖⺘⺙⺛⺞⺟⺠⺡⺣⺤⺦⺨⺩⺭⺮⺯⺰⺱⺳⺹⺺⺽⺾⻂⻅⻆⻇⻈⻉⻊⻋⻌⻐⻑⻒⻓⻔⻕⻖⻘⻙⻚⻛⻜⻝⻞⻟⻠⻡⻢⻣⻤⻥⻦⻧⻨⻩⻪⻫⻬⻮⻯⻰⻱⻲⻳⼀⼁⼂⼃⼄⼅⼆⼇⼈⼉⼊⼋⼌⼍⼎⼏⼐⼑⼒⼓⼔⼕⼖⼗⼘⼙⼚⼛⼜⼝⼞⼟⼠⼡⼢⼣⼤⼥⼦⼧⼨⼩⼪⼫⼬⼭⼮⼯⼰⼱⼲⼳⼴⼵⼶⼷⼸⼹⼺⼻⼼⼽⼾⼿⽀⽁⽂⽃⽄⽅⽆⽇⽈⽉⽊⽋⽌⽍⽎⽏⽐⽑⽒⽓⽔⽕⽖⽗⽘⽙⽚⽛⽜⽝⽞⽟⽠⽡⽢⽣⽤⽥⽦⽧⽨⽩⽪⽫⽬⽭⽮⽯⽰⽱⽲⽳⽴⽵⽶⽷⽸⽹⽺⽻⽼⽽⽾⽿⾀⾁⾂⾃⾄⾅⾆⾇⾈⾉⾊⾋⾌⾍⾎⾏⾐⾑⾒⾓⾔⾕⾖⾗⾘⾙⾚⾛⾜⾝⾞⾟⾠⾡⾢⾣⾤⾥⾦⾧⾨⾩⾪⾫⾬⾭⾮⾯⾰⾱⾲⾳⾴⾵⾶⾷⾸⾹⾺⾻⾼⾽⾾⾿⿀⿁⿂⿃⿄⿅⿆⿇⿈⿉⿊⿋⿌⿍⿎⿏⿐⿑⿒⿓⿔⿕'
_RADICALS_TO = '乛乚亻𠘨刂㔾𭕄尣尢巳幺彑彐忄扌攵旡歺母民氵灬爫丬犭𤣩礻𥫗糹纟罓㓁耂肀𦥑艹衤见角𧢲讠贝𧾷车辶钅長镸长门𨸏阝青韦页风飞食𩙿飠饣𩠐马骨鬼鱼鸟卤麦黄黾斉齐齿竜龙龜亀龟一丨丶丿乙亅二亠人儿入八冂冖冫几凵刀力勹匕匚匸十卜卩厂厶又口囗土士夂夊夕大女子宀寸小尢尸屮山巛工己巾干幺广廴廾弋弓彐彡彳心戈户手支攴文斗斤方无日曰月木欠止歹殳毋比毛氏气水火爪父爻爿片牙牛犬玄玉瓜瓦甘生用田疋疒癶白皮皿目矛矢石示禸禾穴立竹米糸缶网羊羽老而耒耳聿肉臣自至臼舌舛舟艮色艸虍虫血行衣襾見角言谷豆豕豸貝赤走足身車辛辰辵邑酉釆里金長門阜隶隹雨靑非面革韋韭音頁風飛食首香馬骨高髟鬥鬯鬲鬼魚鳥鹵鹿麥麻黃黍黑黹黽鼎鼓鼠鼻齊齒龍龜龠'
_RADICALS = str.maketrans(_RADICALS_FROM, _RADICALS_TO)

# Limits. A PDF is a program: 1.5 MB of FlateDecode inflates to gigabytes, 100 KB can hold
# millions of text operators, and pdfminer inflates and interprets all of it. A form is a
# few pages of a few thousand characters and lines each; a portfolio of a hundred forms is
# ~300 pages. Past any limit the import stops with one line saying which.
MAX_BYTES = 50 * 1024 * 1024  # the file
MAX_PAGES = 500
MAX_SECONDS = 90.0  # wall time of the whole reading, checked between pages and while interpreting one
MAX_STREAM = 16 * 1024 * 1024  # bytes one stream inflates to (a page's content is ~20 KB, an embedded font a few MB)
MAX_INFLATED = 64 * 1024 * 1024  # bytes all streams of the document inflate to (pdfminer keeps them)
MAX_REPAIRED = 1024 * 1024  # bytes a damaged stream inflates to (pdfminer repairs it a byte at a time)
MAX_PAGE_OBJECTS = 10_000  # characters, lines, rectangles, curves, images and forms drawn on one page (~3,000)
MAX_CHARS = 300_000  # characters of the whole document (each is kept until the forms are assembled)
MAX_PAGE_OPERATIONS = 100_000  # operands and operators interpreted for one page (forms drawn in it included)


class _Refused(Exception):
    """A limit was passed: the (zh, en) one-line message says which."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.en = en


class _Budget:
    """What one PDF may cost; every counter raises _Refused past its limit (and stays refused)."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + MAX_SECONDS
        self.page = 0
        self.inflated = 0
        self.objects = self.operations = 0
        self.chars = 0
        self.refused: _Refused | None = None  # kept: pdfminer may catch an exception and go on

    def refuse(self, zh: str, en: str) -> None:
        self.refused = _Refused(zh, en)
        raise self.refused

    def where(self) -> tuple[str, str]:
        return (f"第 {self.page} 页", f"page {self.page}") if self.page else ("", "the document")

    def check(self) -> None:
        if self.refused is not None:
            raise self.refused
        if time.monotonic() > self.deadline:
            zh, en = self.where()
            self.refuse(f"读取超过 {MAX_SECONDS:g} 秒（读到{zh or '文档结构'}）", f"reading took over {MAX_SECONDS:g} s (at {en})")

    def next_page(self, number: int) -> None:
        self.check()
        if number > MAX_PAGES:
            self.refuse(f"超过 {MAX_PAGES} 页", f"more than {MAX_PAGES} pages")
        self.page = number
        self.objects = self.operations = 0

    def operation(self) -> None:
        self.operations += 1
        if self.operations > MAX_PAGE_OPERATIONS:
            self.refuse(f"第 {self.page} 页的绘制指令超过 {MAX_PAGE_OPERATIONS} 条",
                        f"page {self.page} has more than {MAX_PAGE_OPERATIONS} drawing operations")
        if not self.operations & 1023:
            self.check()

    def drawn(self, char: bool = False) -> None:
        self.operation()
        self.objects += 1
        if char:
            self.chars += 1
            if self.chars > MAX_CHARS:
                self.refuse(f"文字合计超过 {MAX_CHARS} 个（读到第 {self.page} 页）",
                            f"more than {MAX_CHARS} characters in all (at page {self.page})")
        if self.objects > MAX_PAGE_OBJECTS:
            self.refuse(f"第 {self.page} 页的文字和线条超过 {MAX_PAGE_OBJECTS} 个",
                        f"page {self.page} draws more than {MAX_PAGE_OBJECTS} characters and lines")

    def inflate(self, size: int, limit: int = MAX_STREAM) -> None:
        """`size` more bytes from decompressing one stream (of `limit` at most)."""
        zh, en = self.where()
        if size > limit:
            self.refuse(f"{zh}有一个压缩的数据流解压后超过 {limit} 字节（压缩炸弹？）",
                        f"a compressed stream ({en}) inflates to more than {limit} bytes (a decompression bomb?)")
        self.inflated += size
        if self.inflated > MAX_INFLATED:
            self.refuse(f"压缩的数据流解压后合计超过 {MAX_INFLATED} 字节", f"the streams inflate to more than {MAX_INFLATED} bytes in all")


class _Inflater:
    """A decompressobj whose output is counted (pdfminer repairs a damaged stream a byte at a time)."""

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.inner = zlib.decompressobj()
        self.size = 0
        self.calls = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        self.calls += 1
        if not self.calls & 4095:
            self.budget.check()
        out = self.inner.decompress(data, MAX_REPAIRED + 1 - self.size)
        self.size += len(out)
        if self.size > MAX_REPAIRED or self.inner.unconsumed_tail:
            self.budget.inflate(MAX_REPAIRED + 1, MAX_REPAIRED)
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _Zlib:
    """What pdfminer.pdftypes calls `zlib`: inflating is bounded by the budget."""

    error = zlib.error

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget

    def decompress(self, data: bytes, *args: Any) -> bytes:
        self.budget.check()
        inflater = zlib.decompressobj()
        out = inflater.decompress(data, MAX_STREAM + 1)
        self.budget.inflate(len(out))
        if not inflater.eof:  # as zlib.decompress: pdfminer then repairs what it can
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return out

    def decompressobj(self, *args: Any) -> _Inflater:
        return _Inflater(self.budget)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def _bounded_lzw(budget: _Budget):
    def lzwdecode(data: bytes) -> bytes:
        from io import BytesIO

        from pdfminer.lzw import LZWDecoder

        out, size = [], 0
        for piece in LZWDecoder(BytesIO(data)).run():
            size += len(piece)
            if size > MAX_STREAM:
                budget.inflate(size)
            out.append(piece)
        budget.inflate(size)
        return b"".join(out)

    return lzwdecode


def _bounded_runlength(budget: _Budget):
    def rldecode(data: bytes) -> bytes:
        """RunLengthDecode (PDF 1.4, 3.3.4) into a bytearray, bounded; pdfminer's builds a list of ints."""
        out = bytearray()
        i, n = 0, len(data)
        while i < n:
            length = data[i]
            i += 1
            if length == 128:
                break
            if length < 128:
                out += data[i : i + length + 1]
                i += length + 1
            elif i < n:
                out += data[i : i + 1] * (257 - length)
                i += 1
            if len(out) > MAX_STREAM:
                budget.inflate(len(out))
        budget.inflate(len(out))
        return bytes(out)

    return rldecode


@contextlib.contextmanager
def _bounded_decoding(budget: _Budget) -> Iterator[None]:
    """pdfminer inflates every stream whole (zlib.decompress, no limit): while a PDF is read its
    decoders are bounded ones. Scoped to the read; `perfspec import` reads in one thread."""
    from pdfminer import pdftypes

    saved = {name: getattr(pdftypes, name) for name in ("zlib", "lzwdecode", "rldecode")}
    pdftypes.zlib = _Zlib(budget)  # type: ignore[assignment]
    pdftypes.lzwdecode = _bounded_lzw(budget)
    pdftypes.rldecode = _bounded_runlength(budget)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(pdftypes, name, value)


def _pages(pdf: Any, budget: _Budget) -> Iterator[Any]:
    """pdfplumber pages one at a time (pdf.pages makes every page of the page tree first), each
    laid out by a counting interpreter."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent

    class Device(PDFPageAggregatorWithMarkedContent):
        def render_char(self, *args: Any, **kwargs: Any) -> Any:
            budget.drawn(char=True)
            return super().render_char(*args, **kwargs)

        def paint_path(self, *args: Any, **kwargs: Any) -> Any:
            budget.drawn()
            return super().paint_path(*args, **kwargs)

        def render_image(self, *args: Any, **kwargs: Any) -> Any:
            budget.drawn()
            return super().render_image(*args, **kwargs)

        def begin_figure(self, *args: Any, **kwargs: Any) -> Any:
            budget.drawn()
            return super().begin_figure(*args, **kwargs)

    class Interpreter(PDFPageInterpreter):
        def push(self, obj: Any) -> None:  # every operand
            budget.operation()
            super().push(obj)

        def do_q(self) -> None:  # the one operator without operands that keeps something
            budget.operation()
            super().do_q()

    class BoundedPage(Page):
        @property
        def layout(self) -> Any:
            if getattr(self, "_layout", None) is not None:
                return self._layout
            device = Device(self.pdf.rsrcmgr, pageno=self.page_number, laparams=self.pdf.laparams)
            Interpreter(self.pdf.rsrcmgr, device).process_page(self.page_obj)
            self._layout = device.get_result()
            return self._layout

    doctop = 0.0
    for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        budget.next_page(number)
        page = BoundedPage(pdf, page_obj, page_number=number, initial_doctop=doctop)
        doctop += page.height
        yield page


# perfspec's HTML layout: cells have 5px side padding and 1px collapsed borders (1px = 0.75pt); the
# printed form's 1.3 mm and a 0.8pt rule come to nearly the same (8.17pt). A word processor's table
# pads more (Word: 0.19 cm each side): see _padding.
_PAD = 3.75 * 2 + 0.75
_TOLERANCE = 0.6  # pt

# Characters that may not begin a line (they pull the character before them down with them).
_NO_START = set("，。、；：？！）》」』】〕”’…%,.;:?!)]}·—～")
_NO_END = set("（《「『【〔“‘([{")


def normalize(text: str) -> str:
    """Radicals → ideographs (see the module docstring)."""
    text = text.translate(_RADICALS)
    if any("\u2f00" <= c <= "\u2fdf" for c in text):
        text = "".join(unicodedata.normalize("NFKC", c) if "\u2f00" <= c <= "\u2fdf" else c for c in text)
    return text


def _lines(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into visual lines, each sorted left to right."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        if lines and abs(lines[-1][0]["top"] - char["top"]) <= 1.5:
            lines[-1].append(char)
        else:
            lines.append([char])
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    return lines


def _ascii_word(c: str) -> bool:
    return c.isascii() and not c.isspace()


def _segment_width(line: list[dict]) -> float:
    """Width of what the line starts with that could not have been split: a run of ASCII
    non-space characters, or one character, with the punctuation that may not start a line."""
    if not line:
        return 0.0
    end = 1
    first = line[0]["text"]
    if first in _NO_END and len(line) > 1:
        end = 2
    elif _ascii_word(first) and first not in _NO_START:
        while end < len(line) and _ascii_word(line[end]["text"]):
            end += 1
    while end < len(line) and line[end]["text"] in _NO_START:
        end += 1
    return line[end - 1]["x1"] - line[0]["x0"]


def _unit_width(line: list[dict]) -> float:
    """Width of what a typesetter moves to the next line whole when it begins a line: a bracketed part
    of up to 12 characters (（万元）, (%)) with the punctuation after it, else as _segment_width."""
    if line and line[0]["text"] in "（(":
        for end in range(1, min(len(line), 14)):
            if line[end]["text"] in "）)":
                end += 1
                while end < len(line) and line[end]["text"] in _NO_START:
                    end += 1
                return line[end - 1]["x1"] - line[0]["x0"]
    return _segment_width(line)


class _Join:
    """Decides, for each wrapped line, whether a space was lost at the break."""

    def __init__(self) -> None:
        self.uncertain: list[tuple[str, str, bool, int, str]] = []  # (before, after, space?, page, why)
        self.page = 0

    def text(self, lines: list[list[dict]], avail: float, habit: dict[str, bool]) -> str:
        parts = ["".join(c["text"] for c in lines[0])] if lines else []
        for number, (before, after) in enumerate(zip(lines, lines[1:]), start=2):
            line_text = "".join(c["text"] for c in after)
            prev_char, next_char = before[-1]["text"], after[0]["text"]
            slack = avail - (before[-1]["x1"] - before[0]["x0"])
            # Typesetters (perfspec's print among them) keep a cell's last two characters together:
            # a last line of two moved down whole.
            kept = number == len(lines) and len(line_text.strip()) <= 2
            unit = after[-1]["x1"] - after[0]["x0"] if kept else _segment_width(after)
            fits = slack + _TOLERANCE >= unit
            if prev_char == " " or next_char == " ":
                space = False
            elif not (prev_char.isascii() or next_char.isascii()):
                space = False  # Chinese text has no spaces between characters ...
                early = slack - _TOLERANCE >= max(unit, _unit_width(after))
                if early:  # ... but this line ended early, and nothing says why
                    why = "这一行没排满就换了行，原因不明"
                    self.uncertain.append(("".join(c["text"] for c in before)[-6:], line_text[:6], False, self.page, why))
            elif fits:
                space = True  # the next word would have fitted: the line was broken at a space
            elif _ascii_word(prev_char) and _ascii_word(next_char) and prev_char.isalnum() and next_char.isalnum():
                # One ASCII word split only when it is longer than the line (overflow-wrap: anywhere).
                word = 0.0
                i = len(before) - 1
                while i >= 0 and _ascii_word(before[i]["text"]):
                    i -= 1
                word += before[-1]["x1"] - before[i + 1]["x0"]
                j = 0
                while j < len(after) and _ascii_word(after[j]["text"]):
                    j += 1
                word += after[j - 1]["x1"] - after[0]["x0"]
                space = word <= avail
            elif prev_char in "([{/" or next_char in ")]}/,.;:!?%":
                space = False  # nobody spaces inside brackets or before a comma
            elif prev_char.isascii() or next_char.isascii():
                space = _around_word(before, after)
                if space is None:
                    key = _habit_key(prev_char, next_char)
                    space = habit.get(key, False)
                    if key not in habit:  # nothing in the form to go by
                        tail = "".join(c["text"] for c in before)[-6:]
                        why = "PDF 不保留换行处的空格，表中也没有同类写法可参照"
                        self.uncertain.append((tail, line_text[:6], space, self.page, why))
            parts.append((" " if space else "") + line_text)
        return "".join(parts)


def _letter(c: str) -> bool:
    return not c.isascii() and unicodedata.category(c) == "Lo"


def _around_word(before: list[dict], after: list[dict]) -> bool | None:
    """A number or ASCII word cut off from CJK text by the break: people space both sides of it
    alike ("差评3件", "清单 24 份"), so the side that is on one line tells. None: no such word."""
    if before[-1]["text"].isalnum() and before[-1]["text"].isascii() and _letter(after[0]["text"]):
        i = len(before) - 1
        while i >= 0 and _ascii_word(before[i]["text"]):
            i -= 1
        edge = before[i]["text"] if i >= 0 else ""
    elif after[0]["text"].isalnum() and after[0]["text"].isascii() and _letter(before[-1]["text"]):
        j = 0
        while j < len(after) and _ascii_word(after[j]["text"]):
            j += 1
        edge = after[j]["text"] if j < len(after) else ""
    else:
        return None
    if edge == " ":
        return True
    if edge and _letter(edge):
        return False
    return None


def _habit_key(prev_char: str, next_char: str) -> str:
    def kind(c: str) -> str:
        if c.isascii() and c.isalnum():
            return "A"
        if c.isascii():
            return c
        return "C"

    return kind(prev_char) + kind(next_char)


def _habits(lines_of_cells: list[list[list[dict]]]) -> dict[str, bool]:
    """How the form writes each pair of character kinds that involves ASCII (digit + 汉字, "," + 汉字,
    ">" + "<" …) where no line break is in the way: mostly with a space between them, or without."""
    counts: dict[str, list[int]] = {}
    for lines in lines_of_cells:
        for line in lines:
            text = "".join(c["text"] for c in line)
            for i in range(len(text) - 1):
                a, b = text[i], text[i + 1]
                if b == " " and i + 2 < len(text):
                    c = text[i + 2]
                    if a != " " and c != " " and (a.isascii() or c.isascii()):
                        counts.setdefault(_habit_key(a, c), [0, 0])[0] += 1
                elif a != " " and b != " " and (a.isascii() or b.isascii()):
                    counts.setdefault(_habit_key(a, b), [0, 0])[1] += 1
    return {key: spaced > plain for key, (spaced, plain) in counts.items()}


def _inside(char: dict, box: tuple) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


_MARK = re.compile(r"\[\d+\]")


def _strip_marks(chars: list[dict], body: float) -> list[dict]:
    """Drop the superscript markers ("[1]") that perfspec's reports put after a cell with findings:
    runs of characters smaller than the page's body text that read "[n]"."""
    out: list[dict] = []
    run: list[dict] = []

    def flush() -> None:
        text = "".join(c["text"] for c in run)
        kept = _MARK.sub(lambda m: "\0" * len(m.group()), text)
        out.extend(c for c, k in zip(run, kept) if k != "\0")
        run.clear()

    for line in _lines(chars):
        for char in line:
            if char.get("size", body) < body * 0.85 and char["text"] in "[]0123456789":
                run.append(char)
            else:
                flush()
                out.append(char)
        flush()
    return out


def _findings_x(table, chars_of) -> float | None:
    """Left edge of a "检查结果" column (perfspec's reports with findings), if the table has one."""
    for trow in table.rows:
        for box in trow.cells:
            if box is None:
                continue
            text = "".join(c["text"] for c in chars_of(box))
            if squash(normalize(text)).startswith("检查结果"):
                return box[0]
    return None


def _page_rows(page, number: int) -> list[tuple[float, list]]:
    """(top, cells) for the table rows and the loose text lines of a page; a cell is
    None (covered by a merged cell) or (lines of characters, width available to a line)."""
    import bisect

    chars = sorted((c for c in page.chars if c.get("text")), key=lambda c: (c["top"] + c["bottom"]) / 2)
    middles = [(c["top"] + c["bottom"]) / 2 for c in chars]
    sizes = sorted(c.get("size", 0) for c in chars)
    body = sizes[len(sizes) // 2] if sizes else 0

    def chars_of(box: tuple) -> list[dict]:
        low, high = bisect.bisect_left(middles, box[1]), bisect.bisect_right(middles, box[3])
        return [c for c in chars[low:high] if _inside(c, box)]

    used: set[int] = set()
    out = []
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    for number_, table in enumerate(tables):
        cut = _findings_x(table, chars_of)
        boxes = [_closed(trow.cells) for trow in table.rows]
        for trow in boxes:
            for box in trow:
                if box is not None:
                    used.update(id(c) for c in chars_of(box))
        below = tables[number_ + 1].bbox[1] if number_ + 1 < len(tables) else float(page.height)
        opened = _open_cells(table, boxes, below, [c for c in chars if id(c) not in used])
        grid = []
        for index, trow in enumerate(table.rows):
            cells = []
            for column, box in enumerate(boxes[index]):
                if box is None and (index, column) in opened:
                    box, mine = opened[(index, column)]
                    used.update(id(c) for c in mine)
                else:
                    mine = [] if box is None else chars_of(box)
                if box is not None and cut is not None and box[0] >= cut - 1:
                    continue  # the findings column is not part of the form
                cells.append(None if box is None else (mine, box))
            grid.append((trow.bbox[1], cells))
        # The form's own text size: on the last page of a report with findings, the findings
        # column's smaller text may outnumber the form's, and the page's median is its size.
        form_sizes = sorted(c.get("size", 0) for _, cells in grid for cell in cells if cell for c in cell[0])
        form_body = form_sizes[len(form_sizes) // 2] if form_sizes else body
        pad = _padding(cell for _, cells in grid for cell in cells if cell and cell[0])
        for top, cells in grid:
            out.append((top, [None if cell is None else (_lines(_strip_marks(cell[0], form_body)), (cell[1][2] - cell[1][0]) - pad)
                              for cell in cells]))
    loose = [c for c in chars if id(c) not in used]
    for line in _lines(loose):
        out.append((line[0]["top"], [([line], _LOOSE)]))
    out.sort(key=lambda item: item[0])
    return out


def _closed(cells: list) -> list:
    """A row's cells without the false one pdfplumber makes of a cell left open at the page's foot
    (no rule under it): a box that runs on across the cells to its right."""
    import bisect

    starts = sorted(box[0] for box in cells if box is not None)

    def runs_on(box: tuple) -> bool:
        at = bisect.bisect_right(starts, box[0] + 1)
        return at < len(starts) and starts[at] < box[2] - 1

    return [None if box is not None and runs_on(box) else box for box in cells]


def _open_cells(table: Any, boxes: list[list], below: float, free: list[dict]) -> dict[tuple[int, int], tuple]:
    """(row, column) → (box, characters) for the merged cells a page break left open.

    A 一级 or 二级 cell merged down several rows and cut by the page break has no rule at the foot
    of the page, so no cell is found for it; its text, centred in the whole merged cell, is drawn
    somewhere in the open space down to the page's foot, often below the last closed row. Such a
    cell starts at the first row of a run of uncovered grid positions in its column that lasts to
    the table's last row; its text is what lies in that column from there down to `below` (the
    next table, or the page's foot) and belongs to no cell."""
    if not boxes or not free:
        return {}
    columns = len(boxes[0])
    lefts: list[float | None] = [None] * columns
    for trow in boxes:
        for column, box in enumerate(trow[:columns]):
            if box is not None and (lefts[column] is None or box[0] < lefts[column]):
                lefts[column] = box[0]
    tops = [row.bbox[1] for row in table.rows]
    # widest[i][j]: the right edge of the widest cell left of column j in row i (a cell spanning into j)
    widest = []
    for trow in boxes:
        edge, edges = 0.0, []
        for box in trow:
            edges.append(edge)
            if box is not None:
                edge = max(edge, box[2])
        widest.append(edges)
    out: dict[tuple[int, int], tuple] = {}
    for column in range(columns):
        left = lefts[column]
        right = next((x for x in lefts[column + 1:] if x is not None), table.bbox[2])
        if left is None:
            continue
        deepest, reach = 0.0, []  # reach[i]: the lowest bottom of this column's cells in rows above i
        for trow in boxes:
            reach.append(deepest)
            if len(trow) == columns and trow[column] is not None:
                deepest = max(deepest, trow[column][3])
        start = len(boxes)
        for index in range(len(boxes) - 1, -1, -1):
            row = boxes[index]
            if len(row) != columns or row[column] is not None:
                break
            if widest[index][column] > left + 1 or reach[index] > tops[index] + 1:  # a cell spanning from the left or above
                break
            start = index
        if start == len(boxes):
            continue
        box = (left, tops[start], right, below)
        mine = [c for c in free if _inside(c, box)]
        if mine:
            out[(start, column)] = (box, mine)
    return out


_LOOSE = 1e9  # the "width" of a text line outside the tables: nothing wraps it

# Running heads and feet: what a word processor or a browser prints in the page margins on every page.
# A line there is furniture when it reads as a page number, or when the same line (its digits aside)
# stands at the same height on two pages or more in type no larger than the page's text. A form's
# heads and rows never do; its title and year line may (several forms in one file, each starting a
# page), but they are set larger than the table.
_BAND = 0.12  # of the page's height, at the top and at the foot
_PAGE_NUMBER = re.compile(
    r"(第\d+页(共\d+页)?|第\d+页[,，/]共\d+页|共\d+页第\d+页|[-—–]\d+[-—–]|\d+/\d+|\d+|page\d+(of\d+)?)", re.I)


def _furniture(pages: list[tuple[int, float, list]]) -> set[tuple[int, int]]:
    """(page number, row index) of the loose lines in the page margins that are running heads or feet."""
    def text(cells: list) -> str:
        return squash("".join(c["text"] for line in cells[0][0] for c in line))

    candidates = []  # (page, index, key, top, larger than the page's text)
    for number, height, rows in pages:
        sizes = sorted(c["size"] for _, cells in rows for cell in cells if cell for line in cell[0] for c in line)
        body = sizes[len(sizes) // 2] if sizes else 0.0
        for index, (top, cells) in enumerate(rows):
            if len(cells) == 1 and cells[0] is not None and cells[0][1] == _LOOSE:
                if top <= height * _BAND or top >= height * (1 - _BAND):
                    larger = max(c["size"] for line in cells[0][0] for c in line) > body * 1.05
                    candidates.append((number, index, text(cells), top, larger))
    out = {(number, index) for number, index, key, *_ in candidates if _PAGE_NUMBER.fullmatch(key)}
    seen: dict[tuple[str, int], set[int]] = {}
    for number, _index, key, top, larger in candidates:
        if not larger:
            seen.setdefault((re.sub(r"\d+", "#", key), round(top / 3)), set()).add(number)
    for number, index, key, top, larger in candidates:
        if not larger and len(seen[(re.sub(r"\d+", "#", key), round(top / 3))]) >= 2:
            out.add((number, index))
    return out


def _padding(cells: Iterator[tuple[list[dict], tuple]]) -> float:
    """Width of a table's cells that text may not use: twice the narrowest gap between a cell's left
    rule and its text (some cell of a form holds left-aligned text), but never less than perfspec's
    own _PAD (on perfspec's screen report, printed scaled to the page, the gap measures narrower
    than the space the browser really kept, and the joins there are right with _PAD)."""
    gaps = [min(c["x0"] for c in chars) - box[0] for chars, box in cells]
    gaps = [gap for gap in gaps if gap >= 0]
    return max(_PAD, 2 * min(gaps)) if gaps else _PAD


def _slim(rows: list[tuple[float, list]]) -> list[tuple[float, list]]:
    """The rows with each character as the joining and _furniture read it (text, x0, x1, size):
    pdfplumber's has ~25 keys, and every page's characters are kept until the forms are assembled."""
    return [
        (top, [None if cell is None else (
            [[{"text": c["text"], "x0": c["x0"], "x1": c["x1"], "size": c.get("size", 0.0)} for c in line]
             for line in cell[0]], cell[1]
        ) for cell in cells])
        for top, cells in rows
    ]


def read(path: str, layout: Layout | str | None = None,
         progress: Optional[Callable[[int, int], None]] = None) -> list[FormData]:
    """The forms in a PDF; `layout`: the configured one (the words of messages)."""
    import pdfplumber  # the optional extra: pip install 'perfspec[pdf]'

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    name = os.path.basename(path)
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(1024)
    if b"%PDF" not in head:
        raise NotAForm(f"{name} 不是 PDF 文件（文件头没有 %PDF）", f"{name} is not a PDF file (no %PDF header)")
    if size > MAX_BYTES:
        raise NotAForm(f"{name} 过大（{size} 字节，上限 {MAX_BYTES} 字节），不像一张自评表，未读取",
                       f"{name} is too large ({size} bytes, limit {MAX_BYTES}); not read")
    raw_pages = []
    looks: list[_Look] = []
    budget = _Budget()
    try:
        with _bounded_decoding(budget), pdfplumber.open(path) as pdf:
            for page in _pages(pdf, budget):
                raw_pages.append((page.page_number, float(page.height), _slim(_page_rows(page, page.page_number))))
                looks.append(_look(page))
                page.close()  # its characters and lines are in raw_pages now
                budget.check()
        budget.check()
    except NotAForm:
        raise
    except _Refused as exc:
        raise NotAForm(f"{name}：{exc}，不像一张自评表，未读取", f"{name}: {exc.en}; not read") from None
    except Exception as exc:  # pdfminer raises many kinds for a damaged or encrypted file
        if budget.refused is not None:  # a limit, whatever pdfminer made of it
            refused = budget.refused
            raise NotAForm(f"{name}：{refused}，不像一张自评表，未读取", f"{name}: {refused.en}; not read") from None
        exc = _unwrapped(exc)
        if _encrypted(exc):
            raise NotAForm(
                f"{name} 已加密（需要打开密码），无法读取：请用密码打开后另存为不加密的 PDF 再导入",
                f"{name} is encrypted (it needs a password to open): open it with the password, "
                "save it as an unencrypted PDF and import that",
            ) from None
        detail = " ".join(str(exc).split())  # one line, and short: pdfminer may quote the stream
        detail = detail if len(detail) <= 200 else detail[:200] + "…"
        raise NotAForm(
            f"{name} 无法作为 PDF 读取（{type(exc).__name__}: {detail}）",
            f"{name} cannot be read as a PDF ({type(exc).__name__}: {detail})",
        ) from None
    furniture = _furniture(raw_pages)
    raw_pages = [(number, [row for index, row in enumerate(page_rows) if (number, index) not in furniture])
                 for number, _height, page_rows in raw_pages]
    habit = _habits([lines for _, rows in raw_pages for _, cells in rows for cell in cells if cell for lines in [cell[0]]])
    joiner = _Join()
    rows: list[Row] = []
    for number, page_rows in raw_pages:
        joiner.page = number
        first = True
        for _top, cells in page_rows:
            texts = [None if cell is None else normalize(joiner.text(cell[0], cell[1], habit)) for cell in cells]
            if all(t is None or not t.strip() for t in texts):
                continue
            rows.append(Row(texts, number, brk=first and number > 1))
            first = False
    forms = assemble(rows, "页", layout, grid=True, progress=progress)
    if not forms:
        raise _why_no_form(name, layout, looks, rows)
    for number, form in enumerate(forms, start=1):
        form.source = f"{name}#{number}"
        _flag_joins(form, joiner.uncertain)
    _flag_cut(forms[-1], rows[-1], layout)
    return forms


def _flag_cut(form: FormData, last: Row, layout: Layout | str | None) -> None:
    """A document that ends on an indicator row of its last form (no 总分, no 评分等级 after it) was cut
    off: the copy stops there, and the note says so on the last row read."""
    from perfspec.importers.labels import Labels

    if getattr(form, "cut", None):  # the assembler said where the form stops already
        return
    if not form.indicators or form.total_weight is not None or form.total_score is not None or form.grade is not None:
        return
    name = squash(form.indicators[-1].name or "")
    if not name or name not in squash("".join(last.texts)):
        return
    words = Labels(layout)
    total, grade = words.word("total", "total"), words.word("grade", "grade")
    form.review(
        form.indicator_path(len(form.indicators) - 1),
        f"原文到这一行（第 {last.where} 页）就结束了：后面没有“{total}”和“{grade}”，表没有写完，只导入到这里",
        last.where,
    )


@dataclass(frozen=True)
class _Look:
    """What a page shows, for saying why no form was found: its characters (not spaces) and the
    share of its area that images cover."""

    chars: int
    imaged: float


def _look(page: Any) -> _Look:
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for image in page.images:
        width = max(0.0, min(image["x1"], page.width) - max(image["x0"], 0))
        height = max(0.0, min(image["bottom"], page.height) - max(image["top"], 0))
        covered += width * height
    return _Look(sum(1 for c in page.chars if c.get("text", "").strip()), min(1.0, covered / area))


# A scan: most of a page is an image and there is next to no text on it (a page number, a stamp's
# caption). A form's page holds hundreds of characters.
SCAN_IMAGED = 0.3  # share of the page an image covers
SCAN_CHARS = 20  # characters on such a page, at most


def _why_no_form(name: str, layout: Layout | str | None, looks: list[_Look], rows: list[Row]) -> NotAForm:
    """The one line that says why `name` holds no form: no pages, a scan, blank pages, or text that is
    not a form (then its first line, so the reader sees what it is)."""
    if not looks:
        return NotAForm(f"{name} 没有页面（0 页），没有可导入的内容", f"{name} has no pages (0 pages): nothing to import")
    scanned = [look for look in looks if look.imaged >= SCAN_IMAGED]
    if scanned and sum(look.chars for look in looks) <= SCAN_CHARS * len(looks):
        return NotAForm(
            f"{name}：这是扫描件（图片），没有可读取的文字：请先做文字识别（OCR）再导入",
            f"{name}: this is a scan (images), there is no text to read: run text recognition (OCR) first, then import",
        )
    if not rows:
        return NotAForm(f"{name} 的 {len(looks)} 页上都没有文字，没有可导入的内容",
                        f"{name} has no text on its {len(looks)} page(s): nothing to import")
    found = not_a_form(name, layout, "栏目的表格")
    first = next((squash(" ".join(row.texts)) for row in rows if row.texts), "")
    first = first if len(first) <= 30 else first[:30] + "…"
    return NotAForm(f"{found}；它第一行是“{first}”（共 {len(looks)} 页）",
                    f"{found.en}; its first line reads “{first}” ({len(looks)} page(s))")


def _unwrapped(exc: Exception) -> Exception:
    """pdfplumber wraps what pdfminer raised while opening the file in a PdfminerException."""
    if type(exc).__name__ == "PdfminerException" and exc.args and isinstance(exc.args[0], Exception):
        return exc.args[0]
    return exc


def _encrypted(exc: Exception) -> bool:
    """A password is needed (pdfminer tries the empty one, which opens owner-password-only files),
    or the file uses an encryption pdfminer cannot undo."""
    from pdfminer.pdfdocument import PDFEncryptionError

    return isinstance(exc, PDFEncryptionError)


def _flag_joins(form: FormData, uncertain: list[tuple[str, str, bool, int, str]]) -> None:
    """Flag the cells where a wrapped line was joined without anything to decide the space by."""
    if not uncertain:
        return
    cells: list[tuple[tuple, str]] = [
        (("project",), form.project or ""),
        (("goals", "expected"), form.goals_expected or ""),
        (("goals", "achieved"), form.goals_achieved or ""),
    ]
    for index, item in enumerate(form.indicators):
        for key in ("name", "target", "actual", "deviation"):
            value = getattr(item, key)
            if isinstance(value, str):
                cells.append((form.indicator_path(index, key), value))
    for tail, head, space, page, why in uncertain:
        joined = normalize(tail) + (" " if space else "") + normalize(head)
        for path, value in cells:
            if joined in value:
                form.review(
                    path,
                    f"换行处“{normalize(tail)}|{normalize(head)}”{'按有空格' if space else '按没有空格'}连接："
                    f"{why}（原文第 {page} 页）",
                    page,
                )
                break


__all__ = ["normalize", "read", "squash"]
