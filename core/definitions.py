"""Customizable YAML documents (assessments, question banks, sequences): one way to load them.

Errors name the file, the path inside the YAML and the reason, e.g.
``service_mindset.yaml: pages[0].items[2].options: an SJT item needs exactly 4 options``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Model = TypeVar("Model", bound=BaseModel)
Loc = tuple[str | int, ...]


class DefinitionError(Exception):
    """A definition that cannot be used; ``problems`` are 'path: reason' lines."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {problem}" for problem in problems))


def refuse(model: str, problems: list[tuple[Loc, str]]) -> None:
    """Report cross-field problems from a model validator, each at its own path.

    A plain ValueError would put every problem at the model's own path ("(top level)");
    pydantic keeps the locations of a ValidationError raised inside a validator and prefixes
    them with the model's path.
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


def read_yaml(path: Path | str) -> Any:
    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DefinitionError(str(path), [f"cannot read: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise DefinitionError(str(path), [f"{where}not valid YAML"]) from None


def validate(
    model: type[Model], document: Any, source: str, union_tags: Collection[str] = ()
) -> Model:
    """Validate a document; ``union_tags`` are discriminator values to hide from error paths."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise DefinitionError(source, problems(exc, union_tags)) from None


def load(model: type[Model], path: Path | str, union_tags: Collection[str] = ()) -> Model:
    return validate(model, read_yaml(path), Path(path).name, union_tags)


def problems(exc: ValidationError, union_tags: Collection[str] = ()) -> list[str]:
    lines = []
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
        lines.append(f"{path or '(top level)'}: {reason}")
    return lines


def checksum(model: BaseModel) -> str:
    """Content hash of a definition: equal content, equal checksum."""
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
