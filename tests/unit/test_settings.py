"""Settings: bad environment values give one clear line."""

from __future__ import annotations

import pytest

from core.settings import Settings, SettingsError


def test_a_bad_database_url_is_one_clear_line() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"DATABASE_URL": "mysql://x/y"})
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("invalid configuration: DATABASE_URL: unsupported scheme 'mysql'")


def test_a_bad_redis_url_is_one_clear_line() -> None:
    with pytest.raises(SettingsError, match="REDIS_URL: bad port"):
        Settings.from_env({"REDIS_URL": "redis://localhost:notaport/0"})


def test_onramp_prefixed_variables_win() -> None:
    settings = Settings.from_env(
        {"ONRAMP_REDIS_URL": "redis://a:1/0", "REDIS_URL": "redis://b:2/0"}
    )
    assert settings.redis_url == "redis://a:1/0"


def test_abandoned_drafts_are_not_purged_while_their_resume_link_still_works() -> None:
    with pytest.raises(SettingsError, match=r"ABANDONED_DAYS \(10\) must be at least"):
        Settings.from_env({"ONRAMP_ABANDONED_DAYS": "10", "ONRAMP_RESUME_LINK_MAX_AGE_DAYS": "14"})
    assert Settings.from_env({"ONRAMP_ABANDONED_DAYS": "14"}).abandoned_days == 14
