"""The web `onramp up` runs: quiet unless --verbose."""

from __future__ import annotations

from cli.up import gunicorn_command


def test_the_web_logs_warnings_only_and_no_access_lines_by_default() -> None:
    args = gunicorn_command("/venv/bin/python", 8000, 2, verbose=False)

    assert args[:4] == ["/venv/bin/python", "-m", "gunicorn", "web:create_app()"]
    assert "--access-logfile" not in args
    assert args[args.index("--log-level") + 1] == "warning"
    assert args[args.index("--bind") + 1] == "127.0.0.1:8000"
    assert args[args.index("--workers") + 1] == "2"


def test_verbose_adds_the_redacted_access_log_on_stdout() -> None:
    args = gunicorn_command("/venv/bin/python", 8000, 2, verbose=True)

    assert args[args.index("--access-logfile") + 1] == "-"
    assert args[args.index("--logger-class") + 1] == "web.access_log.RedactingLogger"
