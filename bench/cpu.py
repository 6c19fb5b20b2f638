"""CPU time by process group, read from /proc: where a measurement's work went (the workers,
the database's backends, the relay, Redis, the SMTP catcher), not how long it waited."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(groups: dict[str, str]) -> Counter[str]:
    """CPU seconds (user + system) of every live process whose command line contains a
    group's marker, summed per group."""
    totals: Counter[str] = Counter()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for group, marker in groups.items():
            if marker in command:
                totals[group] += (int(fields[11]) + int(fields[12])) / TICKS
                break
    return totals


def per_item_ms(before: Counter[str], after: Counter[str], items: int) -> dict[str, float]:
    return {group: (after[group] - before[group]) * 1000 / items for group in after}
