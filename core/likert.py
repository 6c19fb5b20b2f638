"""The one agree/disagree scale: the pre-screen's statements and the new hire's pulse checks
use the same five points with the same words."""

from __future__ import annotations

LIKERT_MIN, LIKERT_MAX = 1, 5
LIKERT_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
