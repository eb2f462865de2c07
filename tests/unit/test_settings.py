"""Settings come from the environment, with clear errors in French and English."""

from pathlib import Path

import pytest

from services.settings import SettingsError, load_settings


def test_defaults_serve_locally_with_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings({'RELAIS_DATA_DIR': str(tmp_path)})
    assert (settings.host, settings.port, settings.demo, settings.scheduler, settings.https) == (
        '127.0.0.1',
        8080,
        False,
        False,
        False,
    )
    assert settings.database_url == f'sqlite:///{tmp_path / "relais.db"}'


def test_the_generated_secret_is_kept_for_the_next_start(tmp_path: Path) -> None:
    first = load_settings({'RELAIS_DATA_DIR': str(tmp_path)}).secret
    assert load_settings({'RELAIS_DATA_DIR': str(tmp_path)}).secret == first
    assert (tmp_path / 'secret.key').stat().st_mode & 0o777 == 0o600


def test_a_postgres_url_is_given_the_psycopg_driver(tmp_path: Path) -> None:
    settings = load_settings({'RELAIS_DATA_DIR': str(tmp_path), 'DATABASE_URL': 'postgres://u:p@db/relais'})
    assert settings.database_url == 'postgresql+psycopg://u:p@db/relais'


@pytest.mark.parametrize(
    ('name', 'value', 'words'),
    [
        ('RELAIS_PORT', '80a', 'port invalide'),
        ('RELAIS_PORT', '70000', 'port invalide'),
        ('RELAIS_DEMO', 'peut-être', 'valeur attendue 0 ou 1'),
        ('RELAIS_HOST', 'pas une adresse', 'adresse IP attendue'),
        ('DATABASE_URL', 'mysql://x', 'seuls sqlite'),
        ('RELAIS_SECRET', 'court', '32 caractères'),
    ],
)
def test_a_bad_value_is_refused_with_a_clear_message(tmp_path: Path, name: str, value: str, words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        load_settings({'RELAIS_DATA_DIR': str(tmp_path), name: value})


def test_with_a_real_aggregator_no_demonstration_part_is_served(tmp_path: Path) -> None:
    settings = load_settings(
        {'RELAIS_DATA_DIR': str(tmp_path), 'RELAIS_PROVIDER_URL': 'https://api.agregateur.example'}
    )
    assert (settings.sandbox, settings.demo, settings.demo_banks) == (False, False, False)
    assert settings.provider_url == 'https://api.agregateur.example'
