"""The results table (terminal) and ``bench/results.json``."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass(frozen=True)
class Goal:
    """A bound on the ratio or on the value: ``ratio >= 0.25``, ``value <= 300``."""

    on: str  # "ratio" or "value"
    op: str  # ">=" or "<="
    bound: float

    def met(self, value: float, ratio: float) -> bool:
        measured = ratio if self.on == "ratio" else value
        return measured >= self.bound if self.op == ">=" else measured <= self.bound

    def __str__(self) -> str:
        return f"{self.on} {self.op} {self.bound:g}"


@dataclass(frozen=True)
class Row:
    metric: str
    unit: str
    value: float
    baseline: float
    ratio: float
    goal: str
    met: bool
    samples: list[tuple[float, float]]


def measure(
    metric: str,
    unit: str,
    goals: list[Goal],
    subject: Callable[[], float],
    baseline: Callable[[], float],
    repetitions: int = 3,
) -> Row:
    """Alternate subject and baseline (swapping which goes first each time); report medians
    of the values, the baselines and the per-pair ratios."""
    pairs: list[tuple[float, float]] = []
    for repetition in range(repetitions):
        if repetition % 2 == 0:
            s = subject()
            b = baseline()
        else:
            b = baseline()
            s = subject()
        pairs.append((s, b))
        print(f"  {metric}: {s:.3g} vs {b:.3g} {unit}", flush=True)
    value = statistics.median(s for s, _ in pairs)
    base = statistics.median(b for _, b in pairs)
    ratio = statistics.median(s / b for s, b in pairs if b)
    return Row(
        metric,
        unit,
        value,
        base,
        ratio,
        " and ".join(map(str, goals)),
        all(goal.met(value, ratio) for goal in goals),
        pairs,
    )


def table(rows: list[Row]) -> str:
    header = ("metric", "subject", "baseline", "ratio", "goal", "met?")
    lines = [
        (
            row.metric,
            f"{row.value:,.4g} {row.unit}",
            f"{row.baseline:,.4g} {row.unit}",
            f"{row.ratio:.3g}x",
            row.goal,
            "yes" if row.met else "NO",
        )
        for row in rows
    ]
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join(out)


def markdown(rows: list[Row]) -> str:
    out = ["| Metric | Subject | Baseline | Ratio | Goal | Met? |", "|---|---|---|---|---|---|"]
    for row in rows:
        out.append(
            f"| {row.metric} | {row.value:,.4g} {row.unit} | {row.baseline:,.4g} {row.unit} | "
            f"{row.ratio:.3g}× | {row.goal} | {'yes' if row.met else '**no**'} |"
        )
    return "\n".join(out)


def write(rows: list[Row], meta: dict[str, object], path: Path = RESULTS) -> None:
    keep = ("metric", "unit", "value", "baseline", "ratio", "goal", "met", "samples")
    document = {"rows": [{k: asdict(row)[k] for k in keep} for row in rows], "meta": meta}
    path.write_text(json.dumps(document, indent=2) + "\n")
