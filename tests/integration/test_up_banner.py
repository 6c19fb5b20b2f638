"""The command `onramp up`'s banner tells to try: the one that works from this shell."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.up import onramp_command


@pytest.fixture
def venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").touch()
    (bin_dir / "onramp").touch(mode=0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "elsewhere"))
    return bin_dir


def test_outside_an_activated_venv_the_command_is_the_venvs_script(
    venv: Path, tmp_path: Path
) -> None:
    assert onramp_command(str(venv / "python"), cwd=tmp_path) == ".venv/bin/onramp"


def test_from_another_directory_the_command_is_the_scripts_full_path(
    venv: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert onramp_command(str(venv / "python"), cwd=elsewhere) == str(venv / "onramp")


def test_in_an_activated_venv_the_command_is_plain_onramp(
    venv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(venv))
    assert onramp_command(str(venv / "python"), cwd=tmp_path) == "onramp"
