"""Configuration layers and the persistent secret key."""

from __future__ import annotations

import pytest

from meeting_server.config import _from_environment


def test_environment_overrides_are_typed():
    values = _from_environment(
        {
            "MEETING_MAX_UPLOAD_MB": "7",
            "MEETING_SESSION_COOKIE_SECURE": "false",
            "MEETING_DATABASE_URL": "postgresql://x/y",
            "UNRELATED": "1",
        }
    )
    assert values == {
        "MAX_UPLOAD_MB": 7,
        "SESSION_COOKIE_SECURE": False,
        "DATABASE_URL": "postgresql://x/y",
    }


def test_bad_environment_value_names_the_variable():
    with pytest.raises(ValueError, match="MEETING_MAX_UPLOAD_MB"):
        _from_environment({"MEETING_MAX_UPLOAD_MB": "lots"})


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    from flask import Flask

    from meeting_server.config import load_config

    monkeypatch.delenv("MEETING_SECRET_KEY", raising=False)
    first, second = Flask("a", instance_path=str(tmp_path)), Flask("b", instance_path=str(tmp_path))
    load_config(first, None)
    load_config(second, None)
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'meeting.sqlite3'}"
    assert first.config["STORAGE_DIR"] == str(tmp_path / "storage")


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    from flask import Flask

    from meeting_server.config import load_config

    (tmp_path / "config.py").write_text("MAX_UPLOAD_MB = 12\nSECRET_KEY = 'from-file'\n")
    monkeypatch.setenv("MEETING_MAX_UPLOAD_MB", "20")
    app = Flask("c", instance_path=str(tmp_path))
    load_config(app, None)
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["MAX_UPLOAD_MB"] == 20  # the environment wins over the file
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024
