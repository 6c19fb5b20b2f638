"""The restart policy of `onramp up`'s supervisor: exponential, capped, forgiving."""

from __future__ import annotations

import pytest

from cli.up import Backoff, describe_exit


def test_the_first_restart_waits_a_second_and_each_crash_in_a_row_doubles_it() -> None:
    backoff = Backoff()
    assert [backoff.delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 16, 30]


def test_the_wait_never_exceeds_thirty_seconds() -> None:
    assert Backoff().delay(50) == 30


def test_a_crash_soon_after_a_restart_counts_as_one_more_in_a_row() -> None:
    backoff = Backoff()
    crashes = 0
    for _ in range(4):
        crashes = backoff.crashes_in_a_row(crashes, uptime=2.0)
    assert crashes == 4
    assert backoff.delay(crashes) == 8


def test_a_minute_up_forgives_earlier_crashes() -> None:
    backoff = Backoff()
    assert backoff.crashes_in_a_row(5, uptime=60.0) == 1
    assert backoff.delay(backoff.crashes_in_a_row(5, uptime=61.0)) == 1
    assert backoff.crashes_in_a_row(5, uptime=59.9) == 6


def test_the_policy_is_configurable_for_tests() -> None:
    backoff = Backoff(first=0.1, ceiling=0.5, stable_after=5)
    assert [backoff.delay(n) for n in range(1, 5)] == pytest.approx([0.1, 0.2, 0.4, 0.5])


@pytest.mark.parametrize(
    ("code", "text"), [(1, "1"), (0, "0"), (-9, "-9 (SIGKILL)"), (-15, "-15 (SIGTERM)")]
)
def test_exit_codes_name_the_signal_that_ended_the_child(code: int, text: str) -> None:
    assert describe_exit(code) == text
