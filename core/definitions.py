"""Customizable YAML documents (assessments, question banks, sequences): one way to load them.

Each problem names the path inside the YAML, the reason and, when the document came from YAML
text, the line and column of the offending node, e.g.
``service_mindset.yaml:57: pages[0].items[2].options: an SJT item needs exactly 4 options``.

Each domain package declares its documents as a :class:`DocumentKind` (schema, name, how to
recognize one); this module parses, validates and maps pydantic's error locations back to the
YAML nodes, so the domain packages need nothing more than their schema.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Model = TypeVar("Model", bound=BaseModel)
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One reason a document cannot be used, at its path and, for YAML text, its position.

    ``path`` is empty for the document as a whole (e.g. YAML that does not parse); ``line``
    and ``column`` count from 1 and are None for documents that did not come from YAML text
    (e.g. a stored JSON copy).
    """

    path: str
    reason: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason

    def at(self, source: str) -> str:
        """``FILE:LINE: path: reason``, the way compilers report; ``FILE: …`` without a line."""
        where = source if self.line is None else f"{source}:{self.line}"
        return f"{where}: {self}"


class DefinitionError(Exception):
    """A definition that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(problem.at(source) for problem in self.problems))


def refuse(model: str, problems: list[tuple[Loc, str]]) -> None:
    """Report cross-field problems from a model validator, each at its own path.

    A plain ValueError would put every problem at the model's own path; pydantic keeps the
    locations of a ValidationError raised inside a validator and prefixes them with the
    model's path.
    """
    if problems:
        raise ValidationError.from_exception_data(
            model,
            [
                InitErrorDetails(
                    type=PydanticCustomError("definition", reason), loc=loc, input=None
                )
                for loc, reason in problems
            ],
        )


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML with its node tree, which remembers where every value was written."""

    data: Any
    root: yaml.Node | None


def parse_yaml(text: str, source: str) -> YamlDocument:
    """Parse YAML text (safe tags only); a syntax error is a DefinitionError at its line."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # a character YAML does not allow, found before parsing
        raise DefinitionError(source, [_syntax_problem(exc, text)]) from None
    try:
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise DefinitionError(source, [_syntax_problem(exc, text)]) from None
    except (ValueError, OverflowError) as exc:
        # A scalar that looks like a value YAML builds but cannot (e.g. the date 0000-01-01).
        raise DefinitionError(
            source, [Problem("", f"a value YAML cannot read: {exc}", None, None)]
        ) from None
    finally:
        loader.dispose()
    return YamlDocument(data, root)


@dataclass(frozen=True)
class DocumentKind(Generic[Model]):
    """One kind of customizable document: its name, its schema, how to recognize one.

    ``union_tags`` are discriminator values that pydantic puts in error paths and that are
    hidden from them ("items[1].sjt.options" reads "items[1].options").
    """

    name: str
    model: type[Model]
    recognizes: Callable[[Mapping[str, Any]], bool]
    union_tags: frozenset[str] = field(default_factory=frozenset)

    def parse(self, document: Any, source: str) -> Model:
        """Validate an already parsed document (e.g. a stored JSON copy); no line numbers."""
        return _validate(self, document, None, source)

    def parse_text(self, text: str, source: str) -> Model:
        """Parse and validate YAML text; every problem carries its line and column."""
        document = parse_yaml(text, source)
        return _validate(self, document.data, document.root, source)

    def load(self, path: Path | str) -> Model:
        return self.parse_text(read_text(path), Path(path).name)


def read_text(path: Path | str) -> str:
    """A definition file's text; a file that cannot be read is a DefinitionError too."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise DefinitionError(str(path), [Problem("", f"cannot read: {reason}")]) from None


def check_text(kind: DocumentKind[Any], text: str) -> list[Problem]:
    """Every problem of a YAML text of this kind, at its line; empty when it can be used."""
    try:
        kind.parse_text(text, f"<{kind.name}>")
    except DefinitionError as exc:
        return exc.problems
    return []


def checksum(model: BaseModel) -> str:
    """Content hash of a definition: equal content, equal checksum."""
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _validate(
    kind: DocumentKind[Model], document: Any, root: yaml.Node | None, source: str
) -> Model:
    try:
        return kind.model.model_validate(document)
    except ValidationError as exc:
        raise DefinitionError(source, _problems(exc, kind.union_tags, root)) from None


def _problems(
    exc: ValidationError, union_tags: Collection[str], root: yaml.Node | None
) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = error["loc"]
        # pydantic puts the tag of a discriminated union in the path ("items.1.sjt.options");
        # it follows a list index, which is how it is told apart from a field of that name.
        parts = [
            part
            for index, part in enumerate(loc)
            if not (part in union_tags and index >= 1 and isinstance(loc[index - 1], int))
        ]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
        reason = error["msg"].removeprefix("Value error, ")
        mark = _mark(root, parts, at_key=error["type"] == "extra_forbidden")
        if mark is None:
            problems.append(Problem(path, reason))
        else:
            problems.append(Problem(path, reason, mark.line + 1, mark.column + 1))
    return problems


def _mark(
    root: yaml.Node | None, parts: Sequence[str | int], at_key: bool = False
) -> yaml.Mark | None:
    """Where the value at ``parts`` was written: the deepest node that exists on the way.

    A missing field is reported at the mapping that should contain it; a value written as a
    block below its key (a list, a mapping) at its key, which is the line people look for;
    with ``at_key`` (a field that should not be there), always at the key.
    """
    if root is None:
        return None
    node, mark = root, root.start_mark
    for index, part in enumerate(parts):
        if isinstance(node, yaml.MappingNode):
            entry = _entry(node, part)
            if entry is None:
                break
            key, value = entry
            last = index + 1 == len(parts)
            if (last and at_key) or (not last and parts[index + 1] == "[key]"):
                return key.start_mark  # the key itself is wrong
            same_line = value.start_mark.line == key.start_mark.line
            node, mark = value, value.start_mark if same_line else key.start_mark
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return mark


def _entry(node: yaml.MappingNode, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    # The last of duplicate keys wins when YAML is loaded; merged keys (<<) come first.
    for key, value in reversed(node.value):
        if isinstance(key, yaml.ScalarNode) and key.value == str(part):
            return key, value
    return None


def _syntax_problem(exc: yaml.YAMLError, text: str) -> Problem:
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None)
    reason = f"not valid YAML: {problem}" if problem else "not valid YAML"
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return Problem("", reason, mark.line + 1, mark.column + 1)
    position = getattr(exc, "position", None)  # a ReaderError counts characters
    if isinstance(position, int):
        before = text[:position]
        return Problem("", reason, before.count("\n") + 1, position - before.rfind("\n"))
    return Problem("", reason)
