"""Project-level guarantees: layering holds and the compose file is valid."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_keep_the_domain_free_of_frameworks() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_docker_compose_file_is_valid() -> None:
    compose = shutil.which("docker-compose")
    if compose is None:
        pytest.fail("docker-compose is not installed: apt-get install docker-compose")
    env = {**os.environ, "ONRAMP_SECRET_KEY": "validation-only", "POSTGRES_PASSWORD": "check"}
    result = subprocess.run(
        [compose, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    with pytest.raises(SettingsError, match="ONRAMP_SECRET_KEY: required in production"):
        Settings.from_env({"ONRAMP_ENV": "production"})
