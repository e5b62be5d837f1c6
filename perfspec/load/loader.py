"""Safe, bounded YAML loading with a source position for every value.

libyaml only *composes* the document (events → nodes, with marks); perfspec
builds the Python values itself. That is what keeps loading safe and exact:
- no tag ever constructs an object: unknown tags are findings, not calls;
- plain scalars are resolved by YAML 1.2 core rules, so `no`, `on` or `NO`
  stay text instead of becoming `False` as YAML 1.1 would have it;
- numbers become ``int`` or ``decimal.Decimal`` straight from the written
  text, so 0.1 + 0.2 is 0.3 and "two decimals" is a fact about what was typed;
- duplicate keys are reported at the duplicate instead of overwriting;
- alias expansion, nesting depth and file size are bounded.
"""

import os  # noqa: F401 - kept for the rest of the module's helpers
import re
import stat  # noqa: F401
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from perfspec.diagnostics import ERROR, Finding, Path, format_path
from perfspec.load import plain_block
from perfspec.load.scalars import BOOLS, FLOAT, INT, MAX_EXPONENT, NULLS, NUMBER_STARTS, OutOfRange, number_value, plain_value
from perfspec.load.files import Refused, TooLarge, read_spec

MAX_BYTES = 2 * 1024 * 1024  # a real form is ~5 KB; 2 MiB leaves room for any honest file
MAX_NODES = 100_000  # node visits while building values; stops alias bombs
MAX_DEPTH = 64  # a form nests five levels deep
# PyYAML's C composer recurses once per nested collection and overflows the C stack
# somewhere past ~25,000 levels: a file that could nest that deep is refused before
# composing. Flow brackets are counted in the text (a 100 KB file can open 40,000);
# block collections nest on one line too ("- - - - x", "? ? ? x"), so a file with a
# line longer than MAX_FLOW_DEPTH has its depth counted from libyaml's events.
MAX_FLOW_DEPTH = 1_000
SMALL_TEXT = 64 * 1024  # larger files have their values counted before composing
# What grows with aliases is text, not nodes: one 1 MB scalar aliased 300 times is 300 MB
# of values (and of every message and path that shows them). Without aliases a file holds at
# most MAX_BYTES characters of scalars, so only alias expansion can pass MAX_EXPANDED.
MAX_EXPANDED = 2 * MAX_BYTES  # characters of keys and scalars, counted at every alias
MAX_KEY = 10_000  # characters; a longer key is a PS004 finding and its entry is not read
# Every finding embeds its path, and every value's path embeds all its ancestors' keys: a
# 10,000-character key above 20,000 list items is 200 M characters of paths. The sum of the
# paths' lengths over all values bounds what the rules, messages and reports can make of them.
MAX_PATH_TEXT = 10_000_000
SHOWN = 200  # characters of a key or value shown in a message or a finding's path
MAX_PER_CODE = 100  # loader findings of one code per file; the rest are summed up in one more

_PLAIN = "?"  # YAML's non-specific tag of plain scalars
_QUOTED = "!"  # ... and of quoted or block scalars

_CORE = "tag:yaml.org,2002:"
_COLLECTIONS = (_CORE + "seq", _CORE + "map")


class _Resolver(yaml.resolver.BaseResolver):
    """Leave scalar resolution to perfspec: only say whether a scalar was plain."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:  # noqa: D401
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        if kind is SequenceNode:
            return _CORE + "seq"
        return _CORE + "map"


try:
    from yaml.cyaml import CParser
except ImportError:  # pragma: no cover - libyaml is present in every supported wheel
    CParser = None

if CParser is not None:

    class _ComposeLoader(CParser, _Resolver):  # type: ignore[misc,valid-type]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Resolver.__init__(self)

else:  # pragma: no cover - libyaml is present in every supported wheel

    class _ComposeLoader(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Resolver
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


class Span(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based
    end_line: int
    end_column: int


_START = Span(1, 1, 1, 1)


class Placed(Mapping[Path, Span]):
    """path → Span of a form the plain-lines fast path read, found from its lines when asked.

    A form with findings needs a few places: each is found by walking down the lines the fast
    path matched (plain_block.Places), a fraction of composing the text with libyaml, with the
    same marks. Iterating places everything once. Should the lines and values not fit together,
    the text is composed after all.
    """

    __slots__ = ("_shared", "_keys")

    def __init__(self, shared: "_Places", keys: bool = False) -> None:
        self._shared = shared
        self._keys = keys  # the spans of keys (path ends in the key) rather than of values

    def __getitem__(self, path: Path) -> Span:
        place = self._shared.find(path)[self._keys]
        if place is None:
            raise KeyError(path)
        return Span(*place)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self._shared.find(path)[self._keys] is not None

    def __iter__(self) -> Iterator[Path]:
        return iter(self._shared.every()[self._keys])

    def __len__(self) -> int:
        return len(self._shared.every()[self._keys])


Place = plain_block.Place


class _Places:
    """The places of one text, shared by its values' and its keys' Placed; each asked once."""

    __slots__ = ("_text", "_data", "_places", "_found", "_every")

    def __init__(self, text: str, data: Any) -> None:
        self._text = text
        self._data = data
        self._places: plain_block.Places | None = None
        self._found: dict[Path, tuple[Place | None, Place | None]] = {}
        self._every: tuple[dict[Path, Place], dict[Path, Place]] | None = None

    def find(self, path: Path) -> tuple[Place | None, Place | None]:
        found = self._found.get(path)
        if found is None:
            if self._every is not None:
                found = (self._every[0].get(path), self._every[1].get(path))
            else:
                try:
                    if self._places is None:
                        self._places = plain_block.Places(self._text, self._data)
                    found = self._places.find(path)
                except (ValueError, IndexError, TypeError):  # pragma: no cover - tests hold both to the same places
                    every = self.every()
                    found = (every[0].get(path), every[1].get(path))
            self._found[path] = found
        return found

    def every(self) -> tuple[dict[Path, Place], dict[Path, Place]]:
        if self._every is None:
            try:
                self._every = (self._places or plain_block.Places(self._text, self._data)).every()
            except (ValueError, IndexError, TypeError):  # pragma: no cover - tests hold both to the same places
                loader = _ComposeLoader(self._text)
                try:
                    root = loader.get_single_node()
                finally:
                    loader.dispose()
                self._every = (
                    {path: tuple(span) for path, span in Spans(root).items()},  # type: ignore[misc]
                    {path: tuple(span) for path, span in Spans(root, keys=True).items()},  # type: ignore[misc]
                )
        return self._every


class Spans(Mapping[Path, Span]):
    """path → Span, found in the composed nodes only when asked.

    Most documents need a handful of locations (their findings): a clean form
    needs none. Nothing is indexed up front; a lookup walks down from the root
    the way the builder read the document (the first of duplicate keys, no key
    longer than MAX_KEY, nothing below MAX_DEPTH or under an unknown tag), so
    it finds exactly the nodes whose values were read. Iterating (the language
    server, `fix`) indexes every read node once, in document order.
    """

    __slots__ = ("_root", "_keys", "_index")

    def __init__(self, root: Node | None = None, keys: bool = False) -> None:
        self._root = root
        self._keys = keys  # the spans of keys (path ends in the key) rather than of values
        self._index: dict[Path, Node] | None = None

    def _node(self, path: Path) -> Node | None:
        if self._index is not None:
            return self._index.get(path)
        node = self._root
        if node is None or len(path) > MAX_DEPTH + self._keys or (self._keys and not path):
            return None
        last = len(path) - 1
        for at, part in enumerate(path):
            if node.tag not in _COLLECTIONS:
                return None  # an unknown tag: nothing below it was read
            if isinstance(node, MappingNode) and type(part) is str:
                if len(part) > MAX_KEY:
                    return None
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode) and key_node.value == part:
                        node = key_node if self._keys and at == last else value_node
                        break
                else:
                    return None
            elif isinstance(node, SequenceNode) and type(part) is int:
                if self._keys and at == last or not 0 <= part < len(node.value):
                    return None  # an item has no key
                node = node.value[part]
            else:
                return None
        return node

    def __getitem__(self, path: Path) -> Span:
        node = self._node(path)
        if node is None:
            raise KeyError(path)
        return _span(node)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self._node(path) is not None

    def _all(self) -> dict[Path, Node]:
        if self._index is None:
            self._index = {}
            root = self._root
            if root is not None:
                self._walk(root, ())
        return self._index

    def _walk(self, node: Node, path: Path) -> None:
        # The builder's reading order: a value before what is below it, keys in document order.
        index = self._index
        assert index is not None
        if not self._keys:
            index[path] = node
        if node.tag not in _COLLECTIONS:
            return
        if isinstance(node, MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or len(key_node.value) > MAX_KEY or key_node.value in seen:
                    continue
                seen.add(key_node.value)
                child = path + (key_node.value,)
                if self._keys:
                    index[child] = key_node
                if len(child) <= MAX_DEPTH:
                    self._walk(value_node, child)
        elif isinstance(node, SequenceNode) and len(path) < MAX_DEPTH:
            for i, item in enumerate(node.value):
                self._walk(item, path + (i,))

    def __iter__(self) -> Iterator[Path]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


class Document:
    """A loaded spec: its values, where each value and key is written, and its text."""

    __slots__ = ("file", "data", "spans", "key_spans", "text")

    def __init__(
        self,
        file: str,
        data: Any,
        spans: Mapping[Path, Span] | None = None,
        key_spans: Mapping[Path, Span] | None = None,
        text: str = "",
    ) -> None:
        self.file = file
        self.data = data
        self.spans: Mapping[Path, Span] = spans if spans is not None else Spans()
        self.key_spans: Mapping[Path, Span] = key_spans if key_spans is not None else Spans()
        self.text = text

    def span(self, path: Path) -> Span:
        """The span of `path`, or of its nearest written ancestor."""
        while True:
            if path in self.spans:
                return self.spans[path]
            if not path:
                return _START
            path = path[:-1]

    def key_span(self, path: Path) -> Span:
        return self.key_spans[path] if path in self.key_spans else self.span(path)


class LoadResult:
    __slots__ = ("document", "findings", "io_error", "io_error_en")

    def __init__(
        self,
        document: Document | None,
        findings: list[Finding],
        io_error: str | None = None,  # zh message when the file could not be read at all
        io_error_en: str | None = None,
    ) -> None:
        self.document = document
        self.findings = findings
        self.io_error = io_error
        self.io_error_en = io_error_en


def _span(node: Node) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(s.line + 1, s.column + 1, e.line + 1, e.column + 1)


def shown(text: str, limit: int = SHOWN) -> str:
    """`text` as a message or a path shows it: at most `limit` characters, then how long it is."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text)} 字）"


def shown_en(text: str, limit: int = SHOWN) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"


def shown_path(path: Path) -> str:
    """format_path with each long key shortened (a finding's path is printed, posted and stored)."""
    if all(isinstance(part, int) or len(part) <= SHOWN for part in path):
        return format_path(path)
    return format_path(part if isinstance(part, int) else shown(part) for part in path)


def _finding(file: str, span: Span, code: str, zh: str, en: str, path: Path = ()) -> Finding:
    return Finding(
        file=file,
        line=span.line,
        column=span.column,
        code=code,
        severity=ERROR,
        message=zh,
        message_en=en,
        path=shown_path(path),
        end_line=span.end_line,
        end_column=span.end_column,
        where=path,
    )


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.findings: list[Finding] = []
        self.visits = 0
        self.too_many = False  # reading stopped: what was read is a fragment
        self.text = 0  # characters of keys and scalars read, every alias counted again
        self.path_text = 0  # characters of the paths of every value read
        self.per_code: dict[str, int] = {}
        self.first_unlisted: dict[str, Finding] = {}
        self.long_keys: set[int] = set()  # key nodes reported too long (an alias is the same node)

    def report(self, node: Node, code: str, zh: str, en: str, path: Path) -> None:
        count = self.per_code[code] = self.per_code.get(code, 0) + 1
        if count <= MAX_PER_CODE:
            self.findings.append(_finding(self.file, _span(node), code, zh, en, path))
        elif count == MAX_PER_CODE + 1:
            self.first_unlisted[code] = _finding(self.file, _span(node), code, "", "", ())

    def finish(self) -> list[Finding]:
        """The findings, with one more per code that had more than MAX_PER_CODE saying how many."""
        for code, first in self.first_unlisted.items():
            more = self.per_code[code] - MAX_PER_CODE
            self.findings.append(first._replace(
                message=f"还有 {more} 条同类问题（{code}）未列出：每个文件每种问题最多列出 {MAX_PER_CODE} 条",
                message_en=f"{more} more findings of {code} not listed: at most {MAX_PER_CODE} of each kind per file",
                key="more",
            ))
        self.first_unlisted.clear()
        return self.findings

    def stop(self, node: Node, zh: str, en: str, path: Path) -> None:
        """Stop reading: the one finding that says why is listed however many PS004 came before."""
        self.too_many = True
        self.findings.append(_finding(self.file, _span(node), "PS004", zh, en, path))

    def build(self, node: Node, path: Path, depth: int, path_len: int = 0) -> Any:
        if self.too_many:
            return None
        self.visits += 1
        if self.visits > MAX_NODES:
            self.stop(
                node,
                f"文档展开后超过 {MAX_NODES} 个节点（别名/锚点过多？），已停止读取",
                f"the document expands to more than {MAX_NODES} nodes (too many aliases?); reading stopped",
                path,
            )
            return None
        self.path_text += path_len
        if self.path_text > MAX_PATH_TEXT:
            self.stop(
                node,
                f"各个值的路径（上级的键连起来）合计超过 {MAX_PATH_TEXT} 字（键过长，或长键下的值过多），已停止读取",
                f"the paths of the values (their keys joined) add up to more than {MAX_PATH_TEXT} characters "
                "(long keys above many values); reading stopped",
                path,
            )
            return None
        if isinstance(node, ScalarNode):
            self.text += len(node.value)
            if self.text > MAX_EXPANDED:
                self.stop(
                    node,
                    f"文档展开后的文字超过 {MAX_EXPANDED} 字（长文字被别名引用了多次？），已停止读取",
                    f"the document's text expands to more than {MAX_EXPANDED} characters "
                    "(a long text referenced by many aliases?); reading stopped",
                    path,
                )
                return None
        if depth > MAX_DEPTH:
            self.report(
                node,
                "PS004",
                f"嵌套超过 {MAX_DEPTH} 层，已停止读取此处内容",
                f"nesting deeper than {MAX_DEPTH} levels; this part was not read",
                path,
            )
            return None
        if isinstance(node, ScalarNode):
            if node.tag == _PLAIN:
                # The common case inline: plain text that is not null, a boolean or a number.
                text = node.value
                if text and text[0] not in NUMBER_STARTS and text not in NULLS and text not in BOOLS:
                    return text
            return self.scalar(node, path)
        if node.tag not in _COLLECTIONS:
            self.bad_tag(node, path)
            return None
        if isinstance(node, SequenceNode):
            return [
                self.build(item, path + (i,), depth + 1, path_len + len(str(i)) + 2) for i, item in enumerate(node.value)
            ]
        return self.mapping(node, path, depth, path_len)

    def mapping(self, node: MappingNode, path: Path, depth: int, path_len: int = 0) -> dict[str, Any]:
        out: dict[str, Any] = {}
        firsts: dict[str, Node] = {}  # key -> the key node read (the first)
        aliased: set[int] = set()  # key nodes reported as duplicates here: an alias repeats its anchor's place
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.report(
                    key_node,
                    "PS001",
                    "键必须是简单文本，不能是列表或映射",
                    "a key must be plain text, not a list or mapping",
                    path,
                )
                continue
            if self.too_many:
                break
            key = key_node.value
            if len(key) > MAX_KEY:
                if id(key_node) not in self.long_keys:  # once: its aliases are the same text at the same place
                    self.long_keys.add(id(key_node))
                    self.report(
                        key_node,
                        "PS004",
                        f"键“{shown(key, 40)}”过长（{len(key)} 字，上限 {MAX_KEY} 字）：以它为键的项都未读取",
                        f"key '{shown_en(key, 40)}' is too long ({len(key)} characters, limit {MAX_KEY}); "
                        "no entry with this key was read",
                        path,
                    )
                continue
            self.text += len(key)
            child = path + (key,)
            if key in out:
                # A node met twice is an alias met again: composed nodes keep no place of their own
                # for an alias, so it would be the same finding at the same place again.
                if id(key_node) in aliased:
                    continue
                aliased.add(id(key_node))
                if key_node is firsts[key]:
                    self.report(
                        key_node,
                        "PS002",
                        f"键“{shown(key)}”重复（用别名多次写成同一映射的键）：perfspec 只读取第一处，其余的内容没有检查",
                        f"duplicate key '{shown_en(key)}' (an alias used as a key of the same mapping again): "
                        "only the first is read and the others are not checked",
                        child,
                    )
                    continue
                first = _span(firsts[key]).line
                self.report(
                    key_node,
                    "PS002",
                    f"键“{shown(key)}”重复（第 {first} 行已有）：perfspec 只读取第一处，此处的内容没有检查；请把两处合并为一个",
                    f"duplicate key '{shown_en(key)}' (first at line {first}): only the first is read and this one is not checked; merge them",
                    child,
                )
                continue
            firsts[key] = key_node
            child_len = path_len + len(key) + 1
            if type(value_node) is ScalarNode and value_node.tag == _PLAIN and depth < MAX_DEPTH:
                # build()'s common case without the call: plain text that is not null, a boolean
                # or a number, counted as build() counts it (a limit passed goes to build(), which stops).
                text = value_node.value
                if text and text[0] not in NUMBER_STARTS and text not in NULLS and text not in BOOLS:
                    visits, path_text, chars = self.visits + 1, self.path_text + child_len, self.text + len(text)
                    if visits <= MAX_NODES and path_text <= MAX_PATH_TEXT and chars <= MAX_EXPANDED:
                        self.visits, self.path_text, self.text = visits, path_text, chars
                        out[key] = text
                        continue
            out[key] = self.build(value_node, child, depth + 1, child_len)
        return out

    def bad_tag(self, node: Node, path: Path) -> None:
        tag = node.tag.replace(_CORE, "!!")
        self.report(
            node,
            "PS005",
            f"不支持的 YAML 标签 {shown(tag)}：perfspec 不会按标签构造任何对象，此值按空值处理",
            f"unsupported YAML tag {shown_en(tag)}: perfspec never constructs objects from tags; the value is treated as empty",
            path,
        )

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        text = node.value
        tag = node.tag
        if tag == _QUOTED or tag == _CORE + "str":
            return text
        if tag == _PLAIN:
            try:
                return plain_value(text)
            except OutOfRange:
                return self.out_of_range(node, text, path)
        if tag == _CORE + "null":
            return None
        if tag == _CORE + "bool" and text in BOOLS:
            return BOOLS[text]
        # !!int says "an integer": 10.5 under it is a contradiction, not a number to take as written.
        integer = INT.match(text) is not None
        if (tag == _CORE + "int" and integer) or (tag == _CORE + "float" and (integer or FLOAT.match(text))):
            return self.number(node, text, path, integer)
        if tag in (_CORE + "int", _CORE + "float", _CORE + "bool", _CORE + "null"):
            shown_tag = tag.replace(_CORE, "!!")
            self.report(
                node,
                "PS005",
                f"标签 {shown_tag} 与值“{text[:40]}”不符，此值按空值处理：请删掉标签，照表中原样写数值",
                f"the tag {shown_tag} contradicts the value '{text[:40]}'; the value is treated as empty",
                path,
            )
            return None
        self.bad_tag(node, path)
        return None

    def number(self, node: ScalarNode, text: str, path: Path, integer: bool) -> int | Decimal | None:
        """`text` as an int (`integer`: it matched INT) or a Decimal, as written; None when out of range."""
        try:
            return number_value(text, integer)
        except OutOfRange:
            return self.out_of_range(node, text, path)

    def out_of_range(self, node: ScalarNode, text: str, path: Path) -> None:
        self.report(
            node,
            "PS004",
            f"数值 {shown(text, 40)} 超出可处理范围（绝对值须在 1e-{MAX_EXPONENT} 到 1e{MAX_EXPONENT} 之间）",
            f"number {shown_en(text, 40)} is out of range (magnitude must lie between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT})",
            path,
        )
        return None


_YAML_PROBLEMS_ZH = (
    ("found character '\\t' that cannot start any token", "发现制表符（Tab）：YAML 的缩进只能用空格"),
    ("mapping values are not allowed", "此处不能出现“键: 值”（可能是缩进不对，或文字中的“: ”需要给整段文字加引号）"),
    ("second occurrence", "锚点名称重复（& 后的名称在文件中出现了两次）"),
    ("did not find expected alphabetic or numeric character", "锚点或别名（& 或 * 之后）缺少名称"),
    ("could not find expected ':'", "缺少预期的“:”（可能是上一行的键值没有写完整）"),
    ("did not find expected key", "找不到预期的键（缩进不一致？）"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有正确闭合，或元素之间缺少逗号"),
    ("did not find expected ',' or '}'", "花括号 { } 没有正确闭合，或元素之间缺少逗号"),
    ("did not find expected '-' indicator", "列表项缩进不一致，缺少“- ”"),
    ("found unexpected end of stream", "文件意外结束（引号或括号没有闭合？）"),
    ("did not find expected node content", "此处缺少值（括号没有闭合，或“,”“:”“- ”之后没有内容？）"),
    ("found undefined alias", "引用了未定义的锚点（*别名）"),
    ("found unknown escape character", "双引号字符串中有无法识别的转义字符（反斜杠）"),
    ("found unexpected ':'", "出现了意外的“:”"),
    ("control characters are not allowed", "包含不允许的控制字符"),
    ("found a tab character", "发现制表符（Tab）：YAML 的缩进只能用空格"),
    ("expected <document start>, but found", "文档结构错误：顶层内容之后又出现了无法识别的内容"),
    ("expected alphabetic or numeric character", "锚点或别名的名称无效"),
    ("found duplicate anchor", "锚点名称重复"),
)


# Patterns of the error paths only, as text: a clean run never compiles them (re caches them when used).
_LIBYAML_BREAK = "\r\n|[\r\n\x85\u2028\u2029]"  # the line breaks libyaml counts

# Slips a Chinese input method makes in YAML's own punctuation, as they look at the start of a line:
# `score：8`, `- name：x`, `total：｛weight: 100｝`, an indentation of full-width spaces.
_KEY_FULLWIDTH_COLON = r"^[ ]*(?:-[ ]+)?[A-Za-z_][A-Za-z0-9_]*[ ]*(：)"
_FULLWIDTH_FLOW = r"^[ ]*(?:-[ ]+)?[A-Za-z_][A-Za-z0-9_]*[ ]*:[ ]*([｛［])"
_FULLWIDTH_INDENT = r"^[ ]*(\u3000)"


def _ime_slip(text: str, error_line: int) -> tuple[int, int, str, str] | None:
    """The last IME slip at or before the line libyaml stopped at (its error is often a line later)."""
    lines = re.split(_LIBYAML_BREAK, text)
    found = None
    for number in range(min(error_line, len(lines)), 0, -1):
        raw = lines[number - 1]
        for pattern, zh, en in (
            (_KEY_FULLWIDTH_COLON, "用了全角冒号“：”，应为半角“:”（后面再加一个空格）", "a full-width colon '：' where ':' belongs"),
            (_FULLWIDTH_FLOW, "用了全角括号，应为半角“{”或“[”", "a full-width bracket where '{' or '[' belongs"),
            (_FULLWIDTH_INDENT, "缩进用了全角空格，应为半角空格", "indentation with a full-width space"),
        ):
            match = re.match(pattern, raw)
            if match is not None:
                found = (number, match.start(1) + 1, f"第 {number} 行{zh}", f"line {number}: {en}")
                break
        if found is not None or number < error_line - 2:
            break
    return found


def _yaml_error(file: str, exc: yaml.YAMLError, text: str) -> Finding:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml's reader knows only a byte offset into the UTF-8 text; count the lines ourselves.
        before = text.encode("utf-8")[: max(exc.position, 0)].decode("utf-8", "ignore")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        return Finding(
            file, line, column, "PS001", ERROR,
            f"YAML 语法错误：第 {line} 行有不允许的控制字符 U+{code:04X}（可能是从别处复制来的不可见字符），请删除",
            f"YAML syntax error: control character U+{code:04X} is not allowed", "",
        )
    if problem.startswith("exceeded maximum nesting depth"):
        # libyaml 0.2.6 stops nesting itself (PyYAML 6.0.4 wheels ship it): the same limit as ours.
        return Finding(
            file, line, column, "PS004", ERROR,
            "列表或映射嵌套过深，未读取（一张自评表只有几层）",
            "lists or mappings nest too deep; not read", "",
        )
    slip = _ime_slip(text, line)
    if slip is not None:
        # An input-method slip (全角冒号、全角括号、全角空格) is the real cause: name it where it is.
        at, col, zh, en = slip
        return Finding(file, at, col, "PS001", ERROR, f"YAML 语法错误：{zh}", f"YAML syntax error: {en}", "")
    zh_extra = ""
    if mark is not None and problem.startswith("found character that cannot start any token"):
        lines = text.splitlines()
        bad = lines[mark.line][mark.column : mark.column + 1] if mark.line < len(lines) else ""
        if bad == "\t":
            problem = "found a tab character"
        elif bad:
            zh_extra = f"“{bad}”不能出现在值的开头：请给整段文字加引号"
    # For an unclosed quote or bracket the useful place is where it was opened.
    context_mark = getattr(exc, "context_mark", None)
    # ("while parsing a flow node" marks where a value was expected, not the bracket.)
    if context and context_mark is not None and context.startswith(
        ("while scanning a quoted", "while parsing a flow mapping", "while parsing a flow sequence")
    ):
        opened = context_mark.line + 1
        zh_extra = (
            f"第 {opened} 行开始的引号没有闭合"
            if "quoted" in context
            else f"第 {opened} 行开始的括号没有正确闭合（或其中的项之间缺少逗号）"
        )
        line, column = opened, context_mark.column + 1
    # At the end of a file without a final line break libyaml's marks lie on a line past it.
    breaks = list(re.finditer(_LIBYAML_BREAK, text))
    if line > len(breaks) + 1:
        line = len(breaks) + 1
        column = len(text) - (breaks[-1].end() if breaks else 0) + 1
    zh = zh_extra or next((text for key, text in _YAML_PROBLEMS_ZH if problem.startswith(key)), None)
    if zh is None:
        zh = f"无法解析（{problem}）"
    en = problem + (f" ({context})" if context else "")
    return Finding(file, line, column, "PS001", ERROR, f"YAML 语法错误：{zh}", f"YAML syntax error: {en}", "")


_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def decode(data: bytes, file: str) -> tuple[str | None, Finding | None]:
    """UTF-8 (with or without BOM) only; anything else gets a message that says what it is."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return None, Finding(
                file, 1, 1, "PS003", ERROR,
                f"文件是 {name} 编码：perfspec 只接受 UTF-8，请用编辑器另存为 UTF-8",
                f"the file is {name}-encoded: perfspec reads UTF-8 only; save it as UTF-8", "",
            )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return None, Finding(
            file, line, 1, "PS003", ERROR,
            "文件含有 NUL 字节：这不是文本文件（二进制文件，或没有 BOM 的 UTF-16？）",
            "the file contains NUL bytes: not a text file (binary, or UTF-16 without a BOM?)", "",
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        byte = data[exc.start]
        try:
            data.decode("gb18030")
            hint_zh, hint_en = "看起来是 GBK/GB18030 编码，", "it looks GBK/GB18030-encoded; "
        except UnicodeDecodeError:
            hint_zh, hint_en = "", ""
        return None, Finding(
            file, line, column, "PS003", ERROR,
            f"文件不是有效的 UTF-8（第 {line} 行的字节 0x{byte:02X}）：{hint_zh}请用编辑器另存为 UTF-8",
            f"the file is not valid UTF-8 (byte 0x{byte:02X} on line {line}): {hint_en}save it as UTF-8", "",
        )


_BRACKETS = r"[\[\]{}]"  # used only by a file with more than MAX_FLOW_DEPTH brackets


def _flow_depth_exceeds(text: str) -> int | None:
    """The line where flow brackets first nest deeper than MAX_FLOW_DEPTH, if they do.

    An estimate (brackets inside quoted text count too), computed only when the
    file has that many opening brackets at all, which no real form has.
    """
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return None
    depth = 0
    for match in re.finditer(_BRACKETS, text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_FLOW_DEPTH:
            return text.count("\n", 0, match.start()) + 1
    return None


def _longest_line(text: str) -> int:
    """In characters; `\r` counts as a break, the rarer YAML breaks do not (over-estimating is safe)."""
    if len(text) <= MAX_FLOW_DEPTH:
        return len(text)
    return max(map(len, text.replace("\r", "\n").split("\n")))


def _shape_exceeds(text: str) -> tuple[int, str, str] | None:
    """(line, zh, en) where the collections nest too deep or the values grow too many, if they do.

    Composing builds a Python node (with two marks) per value, recursively: a
    2 MiB file of `a:` lines would take 300 MB, and "- - - … x" nests on one
    line until the C stack overflows. A block collection nested d levels deep
    starts at column d/2 or later (each level indents, or follows its parent's
    "- " / "? " on the same line), so a file without a line longer than
    MAX_FLOW_DEPTH nests less than 2 × MAX_FLOW_DEPTH + 2 levels in block style
    (flow brackets are counted beforehand); and a file of at most
    SMALL_TEXT characters holds few enough values. Only other files, which no
    real form is, pay for counting libyaml's events first (its parser keeps
    its states on the heap).
    """
    if len(text) <= SMALL_TEXT and _longest_line(text) <= MAX_FLOW_DEPTH:
        return None
    loader = _ComposeLoader(text)
    depth = values = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                values += 1
                if depth > MAX_FLOW_DEPTH:
                    return (
                        event.start_mark.line + 1,
                        f"列表或映射嵌套超过 {MAX_FLOW_DEPTH} 层，未读取（一张自评表只有几层）",
                        f"lists or mappings nest deeper than {MAX_FLOW_DEPTH} levels; not read",
                    )
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent):
                values += 1
            if values > MAX_NODES:
                return (
                    event.start_mark.line + 1,
                    f"文件中的值超过 {MAX_NODES} 个，未读取（一张自评表只有几百个）",
                    f"the file holds more than {MAX_NODES} values; not read (a form has a few hundred)",
                )
    except yaml.YAMLError:
        return None  # composing reports the syntax error with its location
    finally:
        loader.dispose()
    return None


def load_text(text: str, file: str) -> LoadResult:
    if len(text) <= SMALL_TEXT and text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        # Before the shape checks: they cannot fire on a text the fast path reads (it declines
        # nested brackets, nests under MAX_LEVELS < MAX_FLOW_DEPTH, and a small text holds far fewer
        # than MAX_NODES values), and measuring the longest line was ~1 % of a clean form's check.
        data = plain_block.read(text, MAX_PATH_TEXT)
        if data is not None:
            places = _Places(text, data)
            return LoadResult(Document(file, data, Placed(places), Placed(places, keys=True), text), [])
    deep = _flow_depth_exceeds(text)
    if deep is not None:
        return LoadResult(None, [Finding(
            file, deep, 1, "PS004", ERROR,
            f"括号嵌套超过 {MAX_FLOW_DEPTH} 层，未读取（一张自评表只有几层）",
            f"brackets nest deeper than {MAX_FLOW_DEPTH} levels; not read", "",
        )])
    shape = _shape_exceeds(text)
    if shape is not None:
        return LoadResult(None, [Finding(file, shape[0], 1, "PS004", ERROR, shape[1], shape[2], "")])
    builder = _Builder(file)
    try:
        loader = _ComposeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.composer.ComposerError as exc:
        if "expected a single document" in str(exc):
            mark = exc.problem_mark
            line = mark.line + 1 if mark else 1
            return LoadResult(None, [Finding(
                file, line, 1, "PS006", ERROR,
                f"一个文件只能包含一张表（一个 YAML 文档），第 {line} 行开始了第二个文档",
                f"a file holds one form (one YAML document); a second document starts at line {line}", "",
            )])
        return LoadResult(None, [_yaml_error(file, exc, text)])
    except yaml.YAMLError as exc:
        return LoadResult(None, [_yaml_error(file, exc, text)])
    except RecursionError:
        return LoadResult(None, [Finding(
            file, 1, 1, "PS004", ERROR,
            "嵌套层数过多，无法读取", "nesting too deep to read", "",
        )])
    if root is None:
        return LoadResult(None, [Finding(
            file, 1, 1, "PS006", ERROR,
            "文件是空的：没有任何内容可检查", "the file is empty: there is nothing to check", "",
        )])
    data = builder.build(root, (), 0)
    findings = builder.finish()
    if builder.too_many:
        # What was read is a fragment: checking, fixing or rendering it would mislead
        # (and tens of thousands of keys would each become a finding).
        return LoadResult(None, findings)
    return LoadResult(Document(file, data, Spans(root), Spans(root, keys=True), text), findings)


def load_file(path: str, display: str | None = None, root: str | None = None) -> LoadResult:
    """Load one spec. An unreadable file is an `io_error`, not a finding: nothing in it can be located."""
    file = display or path
    try:
        # The one safe way to open a spec: no link out of the repository, no FIFO or device, bounded.
        data = read_spec(path, MAX_BYTES, root)
    except TooLarge as exc:
        size = exc.size
        if size is None:  # grew while we read it
            return LoadResult(None, [Finding(
                file, 1, 1, "PS004", ERROR,
                f"文件过大（上限 {MAX_BYTES} 字节），未读取", f"file too large (limit {MAX_BYTES} bytes); not read", "",
            )])
        return LoadResult(None, [Finding(
            file, 1, 1, "PS004", ERROR,
            f"文件过大（{size} 字节，上限 {MAX_BYTES} 字节）：一张自评表通常只有几 KB，未读取",
            f"file too large ({size} bytes, limit {MAX_BYTES}): a form is a few KB; not read", "",
        )])
    except Refused as exc:
        return LoadResult(None, [], exc.zh, exc.en)
    except IsADirectoryError:
        return LoadResult(None, [], "这是一个文件夹，不是文件", "is a folder, not a file")
    except PermissionError:
        return LoadResult(None, [], "没有读取权限", "permission denied")
    except FileNotFoundError:
        return LoadResult(None, [], "文件不存在", "no such file")
    except NotADirectoryError:
        return LoadResult(None, [], "文件不存在（路径中有一级不是文件夹）", "no such file (a part of the path is not a folder)")
    except OSError as exc:
        return LoadResult(None, [], f"无法读取（{exc.strerror or exc}）", f"cannot be read ({exc.strerror or exc})")
    text, problem = decode(data, file)
    if problem is not None:
        return LoadResult(None, [problem])
    assert text is not None
    return load_text(text, file)
