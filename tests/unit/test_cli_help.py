"""`onramp --help` lists onramp's own commands and options, none of Flask's."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import main


def test_the_help_lists_onramps_commands_and_none_of_flasks() -> None:
    result = CliRunner().invoke(main, ["--help"])

    assert result.exit_code == 0, result.output
    commands = result.output.split("Commands:")[1].split()
    assert {"up", "demo", "status", "mail"} <= set(commands)
    assert not {"run", "shell", "routes", "limiter"} & set(commands)
    for flask_boilerplate in ("Flask", "python-dotenv", "--version", "--app", "--env-file"):
        assert flask_boilerplate not in result.output


def test_there_is_no_flask_version_option() -> None:
    result = CliRunner().invoke(main, ["--version"])

    assert result.exit_code == 2
    assert "No such option" in result.output
