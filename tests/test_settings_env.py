"""Configuration from the environment fails loudly on a malformed value."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from cascade import env


def test_booleans_accept_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env.env_bool("FLAG", default=False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env.env_bool("FLAG", default=True) is False


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (lambda: env.env_bool("X", default=False), "maybe"),
        (lambda: env.env_int("X", default=1), "abc"),
        (lambda: env.env_database("X", "sqlite:///x"), "mongodb://nowhere/db"),
        (lambda: env.env_redis_url("X"), "http://127.0.0.1:6379"),
    ],
)
def test_a_malformed_value_names_the_variable(monkeypatch, reader, value):
    monkeypatch.setenv("X", value)
    with pytest.raises(ImproperlyConfigured, match="X"):
        reader()


def test_the_database_defaults_to_sqlite_and_reads_postgres_urls(monkeypatch):
    monkeypatch.delenv("X", raising=False)
    assert env.env_database("X", "sqlite:////tmp/a.sqlite3")["ENGINE"].endswith("sqlite3")
    monkeypatch.setenv("X", "postgres://root@127.0.0.1:5432/cascade")
    config = env.env_database("X", "sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "cascade"


def test_postgres_connections_run_without_jit_unless_the_url_says_otherwise(monkeypatch):
    monkeypatch.setenv("X", "postgres://root@127.0.0.1:5432/cascade")
    assert env.env_database("X", "sqlite:///x")["OPTIONS"]["options"] == "-c jit=off"
    monkeypatch.setenv("X", "postgres://root@127.0.0.1:5432/cascade?options=-c%20jit%3Don")
    assert env.env_database("X", "sqlite:///x")["OPTIONS"]["options"] == "-c jit=on"


def test_production_settings_refuse_to_start_without_a_secret_key():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import cascade.settings"],
        env={"DEBUG": "false", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("raw", "message"),
    [("-5", "must be 0 (no cache) or a number of seconds"), ("soon", "must be a whole number")],
)
def test_a_dashboard_cache_time_that_is_not_one_stops_the_start_with_its_words(raw, message):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import cascade.settings"],
        env={"DEBUG": "true", "PATH": "", "DASHBOARD_CACHE_SECONDS": raw},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr and raw in result.stderr
