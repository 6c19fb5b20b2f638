"""docker-compose.yml runs commands that exist and sets settings that exist.

A renamed CLI command or setting would otherwise surface only when someone deploys: every
service's ``onramp`` command (and its options) must exist in the click group, every
``ONRAMP_*`` variable the stack or ``.env.example`` sets must be a field of ``Settings``,
and the stack's environment must validate as settings.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from cli.main import main as onramp_cli
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "relay", "scheduler")
LONG_RUNNING = ("web", "worker", "relay", "scheduler")
INTERPOLATION = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::?([-?])([^}]*))?\}")


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def interpolate(value: str) -> str:
    """What compose substitutes: the default after ``:-``, a stand-in for required ones."""

    def one(match: re.Match[str]) -> str:
        kind, default = match.group(2), match.group(3)
        return default if kind == "-" else "a-required-value-given-by-the-operator"

    return INTERPOLATION.sub(one, value)


def onramp_command(args: list[str]) -> click.Command:
    """Walk the click group along ``args``; every subcommand and option must exist."""
    command: click.Command = onramp_cli
    rest = list(args)
    while rest and isinstance(command, click.Group) and not rest[0].startswith("-"):
        name = rest.pop(0)
        found = command.commands.get(name)
        assert found is not None, f"onramp has no command {' '.join(args)!r}"
        command = found
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for arg in rest:
        if arg.startswith("-"):
            assert arg.split("=")[0] in options, f"onramp {' '.join(args)}: no option {arg}"
    return command


def test_the_stack_has_every_service_it_needs() -> None:
    assert set(SERVICES) >= {"postgres", "redis", "mailcatcher", *APP_SERVICES}


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_app_service_runs_a_command_that_exists(service: str) -> None:
    command = [interpolate(str(part)) for part in SERVICES[service]["command"]]
    if command[0] == "onramp":
        onramp_command(command[1:])
    else:
        assert command[0] == "gunicorn", f"{service}: run onramp or gunicorn, not {command[0]}"
        module, _, factory = command[1].partition(":")
        assert callable(getattr(importlib.import_module(module), factory.removesuffix("()")))
        logger = command[command.index("--logger-class") + 1]
        logger_module, _, logger_class = logger.rpartition(".")
        assert hasattr(importlib.import_module(logger_module), logger_class)


def test_every_onramp_variable_is_a_known_setting() -> None:
    known = {f"ONRAMP_{name.upper()}" for name in Settings.model_fields}
    set_by_stack = {
        name
        for service in SERVICES.values()
        for name in (service.get("environment") or {})
        if name.startswith("ONRAMP_")
    }
    documented = {name for name in env_example() if name.startswith("ONRAMP_")}
    assert set_by_stack and documented
    assert set_by_stack - known == set()
    assert documented - known == set()


def test_the_stacks_environment_is_valid_settings() -> None:
    for service in APP_SERVICES:
        environment = {
            name: interpolate(str(value))
            for name, value in SERVICES[service]["environment"].items()
        }
        settings = Settings.from_env(environment)
        assert settings.env == "production" and settings.database_url.startswith("postgresql")


def test_every_variable_the_stack_reads_is_in_env_example() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    referenced = {match.group(1) for match in INTERPOLATION.finditer(text)}
    assert referenced - set(env_example()) == set()


def test_migrations_run_once_before_anything_uses_the_database() -> None:
    assert SERVICES["migrate"]["restart"] == "no"
    assert "migrate" not in SERVICES["migrate"]["depends_on"]
    for service in LONG_RUNNING:
        assert SERVICES[service]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_stateful_services_have_health_checks_and_named_volumes() -> None:
    for service in ("postgres", "redis", "web", "mailcatcher"):
        assert SERVICES[service]["healthcheck"]["test"], service
    declared = set(COMPOSE["volumes"])
    for service in ("postgres", "redis", "mailcatcher"):
        [volume] = SERVICES[service]["volumes"]
        assert volume.split(":")[0] in declared, service


@pytest.mark.parametrize("service", ("worker", "relay", "scheduler"))
def test_background_services_check_their_own_heartbeat(service: str) -> None:
    test = [interpolate(str(part)) for part in SERVICES[service]["healthcheck"]["test"]]
    assert test[:3] == ["CMD", "onramp", "healthcheck"] and test[3] == service
    onramp_command(test[2:])


def test_worker_and_web_processes_are_sized_to_cores() -> None:
    assert "${CORES:-2}" in SERVICES["worker"]["command"]
    assert "${CORES:-2}" in SERVICES["web"]["command"]
    assert "CORES" in env_example()


def test_the_image_is_slim_and_runs_as_a_non_root_user() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    last_stage = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    assert "slim" in lines[last_stage]
    users = [line.split()[1] for line in lines[last_stage:] if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
