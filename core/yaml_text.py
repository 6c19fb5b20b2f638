"""Change YAML text in place: one value, or one entry of a list, and nothing else.

The customization forms edit definitions that people also edit as text, with comments and a
layout of their own. Re-dumping the document would drop the comments and reflow every line, so
a one-word change would show as a diff of hundreds of lines. These functions find the node a
path points at (``("pages", 0, "items", 2, "text")``) and rewrite only the characters that
node was written with.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

Path = tuple[str | int, ...]


class NotEditable(ValueError):
    """The text does not have the shape an in-place edit needs (e.g. a flow-style list)."""


def compose(text: str) -> yaml.Node:
    """The node tree of a YAML text that is known to parse."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None:
        raise NotEditable("the document is empty")
    return root


def node_at(root: yaml.Node, path: Sequence[str | int]) -> yaml.Node:
    node = root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = [value for key, value in node.value if key.value == str(part)]
            if not found:
                raise NotEditable(f"no {part!r} in the document")
            node = found[-1]  # the last of duplicate keys wins, as when loading
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                raise NotEditable(f"no entry {part} in the list")
            node = node.value[part]
        else:
            raise NotEditable(f"cannot go into {part!r}")
    return node


def replace_scalars(text: str, changes: Mapping[Path, Any]) -> str:
    """The text with the value at each path replaced; every other character stays as it was."""
    if not changes:
        return text
    root = compose(text)
    spans = []
    for path, value in changes.items():
        node = node_at(root, path)
        if not isinstance(node, yaml.ScalarNode):
            raise NotEditable(f"{_dotted(path)} is not a single value")
        start, end = node.start_mark.index, node.end_mark.index
        written = text[start:end]
        trailing = written[len(written.rstrip()) :]  # a block scalar ends with line breaks
        spans.append((start, end, _render(node, value, text) + trailing))
    spans.sort(reverse=True)  # from the end, so earlier positions stay valid
    for later, earlier in itertools.pairwise(spans):
        if earlier[1] > later[0]:
            raise NotEditable("two changes overlap")
    for start, end, replacement in spans:
        text = text[:start] + replacement + text[end:]
    return text


def add_key(text: str, path: Path, key: str, value: Any) -> str:
    """The text with ``key: value`` added at the end of the block mapping at ``path``."""
    mapping = node_at(compose(text), path)
    if not isinstance(mapping, yaml.MappingNode) or mapping.flow_style or not mapping.value:
        raise NotEditable(f"{_dotted(path)} is not a block mapping with entries")
    if any(existing.value == key for existing, _ in mapping.value):
        raise NotEditable(f"{_dotted((*path, key))} is there already")
    first_key, _ = mapping.value[0]
    _, last_value = mapping.value[-1]
    indent = first_key.start_mark.column
    at = last_value.end_mark.index
    if text[_line_start(text, at) : at].strip():  # the value ends mid-line: after that line
        newline = text.find("\n", at)
        at = len(text) if newline < 0 else newline + 1
    rendered = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
    line = " " * indent + f"{key}: {rendered}\n"
    if at == len(text) and not text.endswith("\n"):
        line = "\n" + line
    return text[:at] + line + text[at:]


def remove_entry(text: str, path: Path, index: int) -> str:
    """The text without entry ``index`` of the block list at ``path`` (its lines, and the
    blank lines after it)."""
    start, end = _entry_lines(text, path, index)
    return text[:start] + text[end:]


def entry_text(text: str, path: Path, index: int) -> str:
    """The lines of entry ``index`` of the block list at ``path``, as written."""
    start, end = _entry_lines(text, path, index)
    return text[start:end]


def insert_entry(text: str, path: Path, index: int, entry: str, entry_indent: int) -> str:
    """The text with ``entry`` (lines of a list entry, its dash at column ``entry_indent``)
    inserted as entry ``index`` of the block list at ``path``, re-indented to fit."""
    sequence = node_at(compose(text), path)
    if not isinstance(sequence, yaml.SequenceNode) or sequence.flow_style or not sequence.value:
        raise NotEditable(f"{_dotted(path)} is not a block list with entries")
    dash = _dash_column(text, sequence.value[0])
    lines = [_shifted(line, dash - entry_indent) for line in entry.splitlines(keepends=True)]
    block = "".join(lines)
    if not block.endswith("\n"):
        block += "\n"
    if index < len(sequence.value):
        at = _line_start(text, sequence.value[index].start_mark.index)
        while at > 0:  # comments just above an entry belong to it: go above them
            above = _line_start(text, at - 1)
            if not text[above:at].lstrip().startswith("#"):
                break
            at = above
    else:
        at = _entry_lines(text, path, len(sequence.value) - 1)[1]
        if at == len(text) and not text.endswith("\n"):
            text += "\n"
            at += 1
    return text[:at] + block + text[at:]


def dash_column(text: str, path: Path, index: int) -> int:
    """The column of the dash that starts entry ``index`` of the block list at ``path``."""
    sequence = node_at(compose(text), path)
    if not isinstance(sequence, yaml.SequenceNode) or sequence.flow_style:
        raise NotEditable(f"{_dotted(path)} is not a block list")
    return _dash_column(text, node_at(sequence, (index,)))


def aliases(text: str) -> list[tuple[int, int]]:
    """Where the text uses an alias (``*name``), as (line, column) from 1. Documents edited in
    the browser may not: an alias repeats a value without writing it out, and nested ones
    make a small text validate as millions of values. Empty for text that does not parse."""
    found = []
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                found.append((event.start_mark.line + 1, event.start_mark.column + 1))
    except yaml.YAMLError:
        return found
    return found


def unbuildable(text: str) -> tuple[int, int, str] | None:
    """The first value YAML reads but cannot build (the date 0000-01-01: PyYAML raises a
    ValueError, not a YAMLError), as (line, column, reason); None when there is none or the
    text does not parse."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    pending = [root] if root is not None else []
    builder = yaml.SafeLoader("")
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                builder.construct_object(node)
            except (ValueError, OverflowError) as exc:
                return node.start_mark.line + 1, node.start_mark.column + 1, str(exc)
            except yaml.YAMLError:
                continue  # reported by the parser, at its line
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            pending.extend(part for pair in reversed(node.value) for part in reversed(pair))
    return None


def unified_diff(before: str, after: str, before_name: str, after_name: str) -> str:
    """A unified diff of two texts, three lines of context, empty when they are equal."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=before_name,
            tofile=after_name,
        )
    )


def _entry_lines(text: str, path: Path, index: int) -> tuple[int, int]:
    sequence = node_at(compose(text), path)
    if not isinstance(sequence, yaml.SequenceNode) or sequence.flow_style:
        raise NotEditable(f"{_dotted(path)} is not a block list")
    entry = node_at(sequence, (index,))
    start = _line_start(text, entry.start_mark.index)
    if text[start : entry.start_mark.index].strip() != "-":
        raise NotEditable(f"entry {index} of {_dotted(path)} does not start its own line")
    # The node ends where the next token starts: past blank lines and comments that belong
    # to what follows. Keep only the entry's own lines, then the blank lines after them.
    end = position = start
    for line in text[start : entry.end_mark.index].splitlines(keepends=True):
        position += len(line)
        if line.strip() and not line.lstrip().startswith("#"):
            end = position
    while end < len(text):
        newline = text.find("\n", end)
        line_end = len(text) if newline < 0 else newline + 1
        if text[end:line_end].strip():
            break
        end = line_end
    return start, end


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _dash_column(text: str, entry: yaml.Node) -> int:
    start = _line_start(text, entry.start_mark.index)
    prefix = text[start : entry.start_mark.index]
    if prefix.strip() != "-":
        raise NotEditable("a list entry does not start its own line")
    return prefix.index("-")


def _shifted(line: str, by: int) -> str:
    if not line.strip():
        return line
    if by >= 0:
        return " " * by + line
    if line[:-by].strip():
        raise NotEditable("the entry cannot be indented to fit")
    return line[-by:]


def _render(node: yaml.ScalarNode, value: Any, text: str) -> str:
    """How to write ``value`` where ``node`` was: in its own style when that is safe."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotEditable("numbers must be finite")
        written = text[node.start_mark.index : node.end_mark.index]
        if value.is_integer() and "." not in written:  # 70 stays written as 70, not 70.0
            return str(int(value))
        return repr(value)
    if value is None:
        return "null"
    value = str(value)
    if node.style == "|" and value.strip() and not value[0].isspace():
        return _literal_block(node, value, text)
    if "\n" not in value and node.style in (None, "", "'"):
        if node.style == "'":
            return "'" + value.replace("'", "''") + "'"
        if _plain_is_safe(value):
            return value
    # JSON strings are YAML double-quoted scalars: any text, on one line, always safe.
    return json.dumps(value, ensure_ascii=False)


def _plain_is_safe(value: str) -> bool:
    if not value or value != value.strip():
        return False
    try:
        return yaml.safe_load(f"v: {value}\n") == {"v": value}
    except yaml.YAMLError:
        return False


def _literal_block(node: yaml.ScalarNode, value: str, text: str) -> str:
    written = text[node.start_mark.index : node.end_mark.index]
    content_lines = [line for line in written.splitlines()[1:] if line.strip()]
    indent = len(content_lines[0]) - len(content_lines[0].lstrip()) if content_lines else 2
    if value.endswith("\n\n"):
        chomp = "+"
    elif value.endswith("\n"):
        chomp = ""
    else:
        chomp = "-"
    body = value[:-1] if value.endswith("\n") else value
    lines = [(" " * indent + line) if line.strip() else "" for line in body.split("\n")]
    return f"|{chomp}\n" + "\n".join(lines)


def _dotted(path: Sequence[str | int]) -> str:
    return (
        "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        or "the document"
    )
