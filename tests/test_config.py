import base64
from pathlib import Path

import pytest

from connexion.config import ConfigError, load_config, parse_bool, parse_database_url


def test_local_mode_defaults_to_sqlite_in_the_data_folder(tmp_path: Path):
    config = load_config({"CONNEXION_DATA_DIR": str(tmp_path)}, Path("/nowhere"))
    assert config.mode == "local"
    assert config.database["ENGINE"] == "django.db.backends.sqlite3"
    assert config.database["NAME"] == str(tmp_path / "connexion.sqlite3")
    assert config.allowed_hosts == ["127.0.0.1", "localhost", "[::1]"]
    assert config.debug is False


def test_local_mode_generates_a_secret_key_once_per_data_folder(tmp_path: Path):
    first = load_config({"CONNEXION_DATA_DIR": str(tmp_path)}, Path("/nowhere"))
    second = load_config({"CONNEXION_DATA_DIR": str(tmp_path)}, Path("/nowhere"))
    assert len(first.secret_key) >= 50
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_postgresql_url_is_parsed():
    database = parse_database_url("postgresql://crm:pw@db.internal:6432/connexion", Path("/x"))
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.internal",
        6432,
        "connexion",
    )
    assert database["USER"] == "crm"


@pytest.mark.parametrize("url", ["mysql://x/y", "nonsense"])
def test_unsupported_database_url_names_the_variable(url):
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        parse_database_url(url, Path("/x"))


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path):
    env = {
        "CONNEXION_MODE": "production",
        "ALLOWED_HOSTS": "crm.example.co.th",
        "CONNEXION_DATA_DIR": str(tmp_path),
    }
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config(env, tmp_path)


@pytest.mark.parametrize("weak", ["short", "django-insecure-" + "x" * 40, "changeme" * 5])
def test_production_refuses_a_placeholder_secret_key(tmp_path: Path, weak: str):
    env = {
        "CONNEXION_MODE": "production",
        "ALLOWED_HOSTS": "crm.example.co.th",
        "SECRET_KEY": weak,
        "CONNEXION_DATA_DIR": str(tmp_path),
    }
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        load_config(env, tmp_path)


def test_production_requires_allowed_hosts(tmp_path: Path):
    env = {"CONNEXION_MODE": "production", "SECRET_KEY": "k" * 10 + "Zq8" * 10}
    with pytest.raises(ConfigError, match="ALLOWED_HOSTS"):
        load_config(env, tmp_path)


def test_production_with_real_values(tmp_path: Path):
    env = {
        "CONNEXION_MODE": "production",
        "SECRET_KEY": "x8Jq" * 12,
        "ALLOWED_HOSTS": "crm.example.co.th, api.example.co.th",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/connexion",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CONNEXION_DATA_DIR": str(tmp_path),
        "CONNEXION_MASTER_KEYS": base64.b64encode(b"k" * 32).decode(),
    }
    config = load_config(env, tmp_path)
    assert config.is_production
    assert config.master_keys == (b"k" * 32,)
    assert not (tmp_path / "master_key").exists()
    assert config.allowed_hosts == ["crm.example.co.th", "api.example.co.th"]
    assert config.redis_url == "redis://127.0.0.1:6379/0"
    assert not (tmp_path / "secret_key").exists()


def test_unknown_mode_and_bad_numbers_name_their_variable(tmp_path: Path):
    with pytest.raises(ConfigError, match="CONNEXION_MODE"):
        load_config({"CONNEXION_MODE": "prod", "CONNEXION_DATA_DIR": str(tmp_path)}, tmp_path)
    with pytest.raises(ConfigError, match="CONNEXION_SESSION_HOURS"):
        load_config(
            {"CONNEXION_SESSION_HOURS": "ten", "CONNEXION_DATA_DIR": str(tmp_path)}, tmp_path
        )


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)]
)
def test_parse_bool(raw, expected):
    assert parse_bool("DEBUG", raw, False) is expected


def test_parse_bool_rejects_other_words():
    with pytest.raises(ConfigError, match="DEBUG must be true or false"):
        parse_bool("DEBUG", "maybe", False)


def test_email_goes_to_files_without_a_relay_and_to_smtp_with_one(tmp_path: Path):
    local = load_config({"CONNEXION_DATA_DIR": str(tmp_path)}, tmp_path)
    assert local.email["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    relay = load_config(
        {
            "CONNEXION_DATA_DIR": str(tmp_path),
            "EMAIL_HOST": "smtp.example.co.th",
            "EMAIL_PORT": "25",
        },
        tmp_path,
    )
    assert relay.email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert relay.email["EMAIL_PORT"] == 25


# --- master keys (CONNEXION_MASTER_KEYS) ------------------------------------------


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "CONNEXION_MODE": "production",
        "SECRET_KEY": "x8Jq" * 12,
        "ALLOWED_HOSTS": "crm.example.co.th",
        "CONNEXION_DATA_DIR": str(tmp_path),
        **extra,
    }


def test_production_refuses_to_start_without_master_keys(tmp_path: Path):
    with pytest.raises(ConfigError, match="CONNEXION_MASTER_KEYS is not set"):
        load_config(_production(tmp_path), tmp_path)
    assert not (tmp_path / "master_key").exists()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("not base64!", "key 1 is not valid base64"),
        (base64.b64encode(b"short").decode(), "key 1 is 5 bytes long"),
        (
            f"{base64.b64encode(b'a' * 32).decode()},{base64.b64encode(b'a' * 32).decode()}",
            "lists the same key twice",
        ),
        (" , ", "holds no key"),
    ],
)
def test_malformed_master_keys_name_the_variable_and_the_key(tmp_path: Path, raw, reason):
    with pytest.raises(ConfigError, match=f"CONNEXION_MASTER_KEYS {reason}"):
        load_config(_production(tmp_path, CONNEXION_MASTER_KEYS=raw), tmp_path)


def test_several_master_keys_keep_their_order_newest_first(tmp_path: Path):
    new, old = b"n" * 32, b"o" * 32
    raw = f"{base64.b64encode(new).decode()}, {base64.b64encode(old).decode()}"
    config = load_config(_production(tmp_path, CONNEXION_MASTER_KEYS=raw), tmp_path)
    assert config.master_keys == (new, old)
    assert "master_keys=" not in repr(config) and str(new) not in repr(config)


def test_local_mode_generates_a_master_key_once_readable_by_its_owner_only(tmp_path: Path):
    first = load_config({"CONNEXION_DATA_DIR": str(tmp_path)}, Path("/nowhere"))
    second = load_config({"CONNEXION_DATA_DIR": str(tmp_path)}, Path("/nowhere"))
    assert len(first.master_keys) == 1 and len(first.master_keys[0]) == 32
    assert first.master_keys == second.master_keys
    assert (tmp_path / "master_key").stat().st_mode & 0o777 == 0o600


def test_local_mode_keeps_its_own_key_after_configured_ones(tmp_path: Path):
    local = load_config({"CONNEXION_DATA_DIR": str(tmp_path)}, tmp_path).master_keys[0]
    configured = b"c" * 32
    env = {
        "CONNEXION_DATA_DIR": str(tmp_path),
        "CONNEXION_MASTER_KEYS": base64.b64encode(configured).decode(),
    }
    assert load_config(env, tmp_path).master_keys == (configured, local)
    fresh = tmp_path / "fresh"
    assert load_config({**env, "CONNEXION_DATA_DIR": str(fresh)}, tmp_path).master_keys == (
        configured,
    )
    assert not (fresh / "master_key").exists()
