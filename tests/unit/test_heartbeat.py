"""`onramp healthcheck ROLE`: healthy while the role's process beats, unhealthy once it stops."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main as onramp_cli
from workers import heartbeat


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Heartbeat files in this test's directory, not the machine's /tmp."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    yield tmp_path


def healthcheck(role: str) -> int:
    return CliRunner().invoke(onramp_cli, ["healthcheck", role]).exit_code


def test_a_role_that_never_beat_is_unhealthy(own_tmp: Path) -> None:
    assert healthcheck("relay") == 1


def test_a_fresh_beat_is_healthy_and_a_stale_one_is_not(own_tmp: Path) -> None:
    heartbeat.Heartbeat("scheduler").beat()
    assert heartbeat.path_of("scheduler").parent == own_tmp
    assert healthcheck("scheduler") == 0
    an_hour_ago = time.time() - 3600
    os.utime(heartbeat.path_of("scheduler"), (an_hour_ago, an_hour_ago))
    assert healthcheck("scheduler") == 1
    assert healthcheck("worker") == 1  # one role's beat says nothing of another


def test_beats_are_throttled_so_a_busy_loop_touches_the_file_rarely(own_tmp: Path) -> None:
    beat = heartbeat.Heartbeat("relay", every=3600)
    beat.beat()
    an_hour_ago = time.time() - 3600
    os.utime(heartbeat.path_of("relay"), (an_hour_ago, an_hour_ago))
    beat.beat()  # too soon after the first: not written again
    assert heartbeat.path_of("relay").stat().st_mtime == pytest.approx(an_hour_ago)
