"""`relais export-fec`: the firm's batch writes a client file's FEC into a folder, run as the operator would run it."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from services import db
from services.formats import fec
from services.formatting import money
from services.models import AuditEvent, Client, Firm
from services.text import search_key
from tests import ventilation_world

RELAIS = Path(sys.executable).with_name('relais')
FILE = 'Boulangerie Dupont'  # the demo ventilates AGA COMPTA itself: this file's books start empty


@pytest.fixture
def run(database: str, tmp_path: Path):
    """`relais …` in a subprocess on the test's database, with nothing else of this process's environment."""

    def relais(*args: str) -> subprocess.CompletedProcess:
        env = {'PATH': '/usr/bin', 'DATABASE_URL': database, 'RELAIS_DATA_DIR': str(tmp_path / 'data')}
        return subprocess.run([str(RELAIS), *args], capture_output=True, text=True, timeout=120, env=env)

    return relais


@pytest.fixture
def bakery(admin) -> Client:
    """The file with its November entries, all validated."""
    world = ventilation_world.build(FILE)
    ventilation_world.validate_directly(ventilation_world.entry_ids(world.account_id), user_id=admin.user_id)
    with db.session_scope() as session:
        return session.get(Client, world.client_id)


def exports() -> list[AuditEvent]:
    with db.session_scope() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == 'ventilation.exported')))


def test_export_fec_writes_the_file_into_the_folder_and_prints_its_totals(run, bakery, tmp_path):
    done = run('export-fec', '--client', bakery.siren, '--end', '2026-12-31', '--out', str(tmp_path / 'fec'))
    path = tmp_path / 'fec' / f'{bakery.siren}FEC20261231.txt'
    records = fec.read_fec(path.read_bytes())
    moved = sum(abs(Decimal(amount)) for _, _, amount in ventilation_world.NOVEMBER)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f'{path} : 12 écritures, 24 lignes, débit = crédit = {money(int(moved * 100))}\n'
    assert len(records) == 24 and {r['EcritureNum'] for r in records} == {str(n) for n in range(1, 13)}


def test_the_command_line_export_is_journaled_as_cli(run, bakery, tmp_path):
    run('export-fec', '--client', bakery.siren, '--start', '2026-11-10', '--end', '2026-11-30', '--out', str(tmp_path))
    (event,) = exports()
    assert (event.actor_email, event.firm_id, event.target_id) == ('cli', bakery.firm_id, str(bakery.id))
    assert event.detail == 'FEC du 10/11/2026 au 30/11/2026, 7 écritures'


def test_a_date_that_does_not_exist_exits_2_with_one_french_line(run, bakery, tmp_path):
    done = run('export-fec', '--client', bakery.siren, '--end', '2026-02-30', '--out', str(tmp_path))
    assert done.returncode == 2 and done.stdout == ''
    assert done.stderr == (
        'relais : --end « 2026-02-30 » : date illisible, AAAA-MM-JJ attendu (par exemple 2026-12-31).\n'
    )


def test_an_unknown_siren_exits_2(run, bakery, tmp_path):
    done = run('export-fec', '--client', '999999999', '--end', '2026-12-31', '--out', str(tmp_path))
    assert done.returncode == 2 and done.stderr == 'relais : Aucun dossier client de SIREN 999999999.\n'


def test_a_folder_that_cannot_be_written_exits_2_and_journals_nothing(run, bakery, tmp_path):
    (tmp_path / 'a-file').write_text('not a folder')
    done = run('export-fec', '--client', bakery.siren, '--end', '2026-12-31', '--out', str(tmp_path / 'a-file' / 'fec'))
    assert done.returncode == 2 and done.stderr.startswith(f'relais : impossible d’écrire dans {tmp_path}/a-file/fec')
    assert exports() == []


def test_a_file_without_validated_entry_exits_2_and_writes_nothing(run, admin, tmp_path):
    world = ventilation_world.build(FILE)
    with db.session_scope() as session:
        siren = session.get(Client, world.client_id).siren
    done = run('export-fec', '--client', siren, '--end', '2026-12-31', '--out', str(tmp_path / 'fec'))
    assert done.returncode == 2 and done.stderr == 'relais : Aucune écriture validée jusqu’au 31/12/2026.\n'
    assert not (tmp_path / 'fec').exists() or not any((tmp_path / 'fec').iterdir())


def test_a_siren_held_by_two_firms_needs_the_firm_siren(run, bakery, tmp_path):
    with db.session_scope() as session:
        witness = session.exec(select(Firm).where(Firm.name == 'Cabinet Témoin')).one()
        demo_firm = session.get(Firm, bakery.firm_id)
        session.add(Client(firm_id=witness.id, legal_name=FILE, search_name=search_key(FILE), siren=bakery.siren))
    ambiguous = run('export-fec', '--client', bakery.siren, '--end', '2026-12-31', '--out', str(tmp_path))
    assert ambiguous.returncode == 2 and '--firm-siren' in ambiguous.stderr
    chosen = run(
        'export-fec',
        '--client',
        bakery.siren,
        '--end',
        '2026-12-31',
        '--out',
        str(tmp_path),
        '--firm-siren',
        demo_firm.siren,
    )
    assert chosen.returncode == 0, chosen.stderr
    assert (tmp_path / f'{bakery.siren}FEC{date(2026, 12, 31):%Y%m%d}.txt').exists()
