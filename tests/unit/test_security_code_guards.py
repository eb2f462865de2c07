"""Guards of the code and of what outsiders type or send, as ASVS 5.0 wants them (1.2.4, 1.2.5, 1.3.2, 1.3.11,
1.5.2, 5.3.2, 5.4.1, 5.4.2, 6.5.3, 16.4.1): no shell, no eval, no unsafe deserialiser, SQL in parameters, no SMTP
header injection, no fake journal line, and file names that Relais builds itself."""

from __future__ import annotations

import ast
import csv
import io
import re
import socket
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import inspect
from sqlmodel import select

from services import audit_journal, clients, connectors, deliveries, global_file, import_jobs, outbox, statements
from services.audit_labels import action_label
from services.banking_models import Transaction
from services.clients import ClientInput
from services.db import session_scope
from services.errors import InvalidInput
from services.formats.camt_writer import write_camt053
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import AccountId, Entry, Statement
from services.health_models import OutboxMessage
from services.models import Client
from services.outbox import Channels
from services.permissions import Actor
from services.statement_models import BankStatement, StatementImport
from services.validation import email

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ('services', 'pages', 'components')
FORBIDDEN_IMPORTS = {'subprocess', 'pickle', 'marshal', 'shelve', 'yaml'}
FORBIDDEN_BUILTINS = {'eval', 'exec', 'compile', '__import__'}
SHELL_CALLS = re.compile(r'os\.(system|popen|exec\w*|spawn\w*|posix_spawn\w*)|asyncio\.create_subprocess_\w+')
SHELL_NAMES_OF_OS = re.compile(r'system|popen|exec\w*|spawn\w*|posix_spawn\w*')
SECRET_MAKERS = ('sessions', 'passwords', 'mandate_links', 'settings', 'connectors', 'failures', 'magic_links', 'totp')
CLIENT_NAME = 'EntrepriseFictive SARL'
IBAN = 'FR7630004008230001024567863'
SQL_TEXT = "'); DROP TABLE bank_transaction; --"
HOSTILE_FILE_NAME = '../../../../etc/cron.d/relais.sh'


# helpers: the code as a tree


def _trees() -> Iterator[tuple[str, ast.AST]]:
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob('*.py')):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding='utf-8'), filename=str(path))


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return f'{owner}.{node.attr}' if owner else None
    return None


def _imported_modules(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split('.')[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split('.')[0])
    return found


def _called(tree: ast.AST) -> set[str]:
    return {name for node in ast.walk(tree) if isinstance(node, ast.Call) and (name := _dotted(node.func))}


def _unsafe_imports(tree: ast.AST) -> set[str]:
    return _imported_modules(tree) & FORBIDDEN_IMPORTS


def _dynamic_code(tree: ast.AST) -> set[str]:
    return _called(tree) & FORBIDDEN_BUILTINS


def _shell_commands(tree: ast.AST) -> set[str]:
    calls = {name for name in _called(tree) if SHELL_CALLS.fullmatch(name)}
    from_os = {
        f'from os import {alias.name}'
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == 'os'
        for alias in node.names
        if SHELL_NAMES_OF_OS.fullmatch(alias.name)
    }
    return calls | from_os


def _everywhere(finder) -> dict[str, set[str]]:
    return {path: found for path, tree in _trees() if (found := finder(tree))}


def _function(module: str, name: str) -> ast.FunctionDef:
    tree = ast.parse((ROOT / 'services' / f'{module}.py').read_text(encoding='utf-8'))
    return next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == name)


# 1.2.5, 1.3.2, 1.5.2: no shell, no dynamic code, no unsafe deserialiser (services/, pages/, components/)


def test_the_guards_see_a_shell_an_eval_and_a_pickle_when_there_is_one() -> None:
    sample = ast.parse('import subprocess, pickle\nfrom os import popen\neval(x)\nos.system("ls")\nexec(y)')
    assert _unsafe_imports(sample) == {'subprocess', 'pickle'}
    assert _dynamic_code(sample) == {'eval', 'exec'}
    assert _shell_commands(sample) == {'os.system', 'from os import popen'}


def test_the_guards_read_every_module_of_services_pages_and_components() -> None:
    read = [path for path, _tree in _trees()]
    assert {'services/auth.py', 'pages/login.py', 'components/frame.py'} <= set(read) and len(read) > 100


def test_no_module_imports_subprocess_pickle_marshal_shelve_or_yaml() -> None:
    assert _everywhere(_unsafe_imports) == {}


def test_no_module_calls_eval_exec_compile_or_import_by_name() -> None:
    assert _everywhere(_dynamic_code) == {}


def test_no_module_runs_a_shell_command_or_another_program() -> None:
    assert _everywhere(_shell_commands) == {}


# 6.5.3: what makes a secret draws from `secrets` (code review made a test)


def test_the_mandate_code_is_drawn_with_secrets_randbelow() -> None:
    assert 'secrets.randbelow' in _called(_function('mandate_links', 'send_code'))


def test_session_ids_and_tickets_are_drawn_with_secrets_token_urlsafe() -> None:
    assert 'secrets.token_urlsafe' in _called(_function('sessions', 'open_session'))


def test_the_totp_seed_is_drawn_by_pyotp_random_base32() -> None:
    assert 'pyotp.random_base32' in _called(_function('totp', 'new_secret'))


def test_no_module_that_makes_a_secret_imports_the_random_module() -> None:
    importing_random = [
        module
        for module in SECRET_MAKERS
        if 'random' in _imported_modules(ast.parse((ROOT / 'services' / f'{module}.py').read_text(encoding='utf-8')))
    ]
    assert importing_random == []


# helpers: real data


def _client_id() -> int:
    with session_scope() as session:
        return session.exec(select(Client.id).where(Client.legal_name == CLIENT_NAME)).one()


def _statement(label: str = 'CB BOULANGERIE DU PORT', day: int = 20) -> Statement:
    return Statement(
        format='cfonb120',
        account=AccountId(iban=IBAN),
        currency='EUR',
        opening_balance=Decimal('100.00'),
        opening_date=date(2026, 11, day - 1),
        closing_balance=Decimal('87.50'),
        closing_date=date(2026, 11, day),
        entries=[Entry(booking_date=date(2026, 11, day), amount=Decimal('-12.50'), label=label)],
    )


def _camt_file(label: str) -> bytes:
    return write_camt053([_statement(label)], message_id='RELAIS-TEST-1', created_at=datetime(2026, 11, 20, 6, 0))


def _cfonb_file(day: int = 20) -> bytes:
    return write_cfonb120([_statement(day=day)])


# 1.2.4: SQL in parameters


def test_a_bank_label_written_as_sql_is_stored_verbatim_and_the_table_is_still_there(admin: Actor) -> None:
    statements.import_file(admin, client_id=_client_id(), data=_camt_file(SQL_TEXT), file_name='releve.xml')
    with session_scope() as session:
        assert session.exec(select(Transaction.label)).all() == [SQL_TEXT]
        assert inspect(session.connection()).has_table('bank_transaction')


def test_a_file_name_written_as_sql_is_stored_verbatim_and_the_table_is_still_there(admin: Actor) -> None:
    name = "releve'); DROP TABLE bank_statement; --.txt"
    statements.import_file(admin, client_id=_client_id(), data=_cfonb_file(), file_name=name)
    with session_scope() as session:
        assert session.exec(select(BankStatement.file_name)).all() == [name]
        assert inspect(session.connection()).has_table('bank_statement')


def test_a_search_of_the_journal_written_as_sql_finds_nothing_and_breaks_nothing(admin: Actor) -> None:
    assert audit_journal.search(admin, text="x' OR '1'='1").total == 0
    assert audit_journal.search(admin).total > 0


# 1.3.11: no SMTP header injection


class Mailbox:
    def __init__(self) -> None:
        self.received: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append(envelope.content.decode())
        return '250 OK'


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on loopback, which the outbox is set to send through."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname='127.0.0.1', port=port)
    controller.start()
    outbox.configure(Channels(smtp_host='127.0.0.1', smtp_port=port, smtp_starttls=False))
    yield box
    outbox.configure(Channels())
    controller.stop()


@pytest.mark.parametrize('line_break', ['\n', '\r\n', '\r'])
def test_an_email_address_followed_by_a_bcc_line_is_refused(line_break: str) -> None:
    assert email(f'dirigeant@entreprise.fr{line_break}Bcc: espion@example.com') == (
        None,
        "Cette adresse e-mail n'est pas valide.",
    )


def test_a_client_file_whose_contact_email_carries_a_bcc_line_is_refused_in_french(admin: Actor) -> None:
    data = ClientInput(
        legal_name='Garage du Port', siren='732829320', contact_email='dirigeant@garage.fr\nBcc: espion@example.com'
    )
    with pytest.raises(InvalidInput) as refusal:
        clients.create_client(admin, data)
    assert refusal.value.errors == {'contact_email': "Cette adresse e-mail n'est pas valide."}


def test_a_subject_with_a_line_break_never_reaches_the_smtp_server(mailbox: Mailbox) -> None:
    message = OutboxMessage(
        channel='email', recipient='dirigeant@garage.fr', subject='Relevés\r\nBcc: espion@example.com', body='Bonjour'
    )
    with pytest.raises(ValueError, match='linefeed or carriage return'):
        outbox._send_email(message)
    assert mailbox.received == []


def test_a_recipient_with_a_line_break_never_reaches_the_smtp_server(mailbox: Mailbox) -> None:
    message = OutboxMessage(
        channel='email', recipient='dirigeant@garage.fr\nBcc: espion@example.com', subject='Relevés', body='Bonjour'
    )
    with pytest.raises(ValueError, match='linefeed or carriage return'):
        outbox._send_email(message)
    assert mailbox.received == []


def test_a_line_break_in_the_body_stays_in_the_body(mailbox: Mailbox) -> None:
    message = OutboxMessage(
        channel='email', recipient='dirigeant@garage.fr', subject='Relevés', body='Bonjour\r\nBcc: espion@example.com'
    )
    outbox._send_email(message)
    (received,) = mailbox.received
    headers, _, body = received.partition('\r\n\r\n')
    assert 'espion' not in headers and 'Bcc: espion@example.com' in body


# 16.4.1: no fake line in the journal's export


def test_a_client_name_with_a_line_break_stays_one_record_of_the_journal_export(admin: Actor) -> None:
    forged = 'Garage du Port\r\n01/01/2026;00:00:00;admin@cabinet-demo.fr;Connexion;;203.0.113.7;'
    clients.create_client(admin, ClientInput(legal_name=forged, siren='732829320'))
    events = audit_journal.search(admin, per_page=200).total
    records = list(csv.reader(io.StringIO(audit_journal.export_csv(admin).decode('utf-8-sig')), delimiter=';'))
    assert len(records) == 1 + events  # the header, then one record per event
    one_line = ' '.join(forged.split())  # services.clients puts a name on one line
    assert [record[6] for record in records if record[3] == action_label('client.created')] == [
        f'{one_line} (732829320)'
    ]
    assert not [record for record in records if record[0] == '01/01/2026']


# 5.3.2, 5.4.1, 5.4.2: file names Relais builds itself


def test_a_dropped_file_is_kept_under_an_internal_uuid_name_not_the_one_it_came_with(
    admin: Actor, tmp_path: Path
) -> None:
    data_dir = tmp_path / 'data'  # tmp_path holds the test's database too
    import_jobs.configure(data_dir=data_dir)
    job_id = import_jobs._keep(admin, client_id=_client_id(), account_id=None, file_name=HOSTILE_FILE_NAME, data=b'x')
    with session_scope() as session:
        job = session.get(StatementImport, job_id)
    assert re.fullmatch(r'[0-9a-f]{32}\.bin', job.stored_as) and job.file_name == HOSTILE_FILE_NAME
    assert sorted(path.relative_to(data_dir) for path in data_dir.rglob('*')) == [
        Path('imports'),
        Path('imports', job.stored_as),
    ]


def test_a_dropped_file_named_with_a_path_writes_nothing_outside_the_imports_folder(
    admin: Actor, tmp_path: Path
) -> None:
    data_dir = tmp_path / 'data' / 'relais'  # tmp_path holds the test's database too
    import_jobs.configure(data_dir=data_dir)
    import_jobs.submit(admin, client_id=_client_id(), data=_cfonb_file(), file_name='../../evade.txt')
    assert [path.relative_to(tmp_path / 'data') for path in (tmp_path / 'data').rglob('*')] == [
        Path('relais'),
        Path('relais', 'imports'),
    ]
    assert not (tmp_path / 'evade.txt').exists()


async def test_a_statement_for_a_folder_connector_is_dropped_under_a_name_relais_builds(
    admin: Actor, tmp_path: Path
) -> None:
    statements.import_file(admin, client_id=_client_id(), data=_cfonb_file(day=2), file_name='ancien.txt')
    with session_scope() as session:
        account_id = session.exec(select(BankStatement.account_id)).one()
    connector = connectors.add_connector(admin, kind='quadra', folder=str(tmp_path / 'quadra'))
    connectors.attach(admin, account_id, connector.id)
    statements.import_file(admin, client_id=_client_id(), data=_cfonb_file(day=20), file_name=HOSTILE_FILE_NAME)
    await deliveries.deliver_due()
    with session_scope() as session:
        statement_id = session.exec(select(BankStatement.id).where(BankStatement.file_name == HOSTILE_FILE_NAME)).one()
    assert [path.name for path in (tmp_path / 'quadra').rglob('*')] == [f'releve-{IBAN}-2026-11-20-{statement_id}.txt']


def test_the_global_file_is_served_under_a_name_made_of_its_dates(admin: Actor) -> None:
    statements.import_file(admin, client_id=_client_id(), data=_cfonb_file(), file_name=HOSTILE_FILE_NAME)
    name, _content, media_type = global_file.download(admin, start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert (name, media_type) == ('releves-20261101-20261130.txt', 'text/plain')


def test_the_global_zip_names_itself_by_its_dates_and_its_members_by_their_iban(admin: Actor) -> None:
    statements.import_file(admin, client_id=_client_id(), data=_cfonb_file(), file_name=HOSTILE_FILE_NAME)
    name, content, _media_type = global_file.download(
        admin, start=date(2026, 11, 1), end=date(2026, 11, 30), as_zip=True
    )
    assert name == 'releves-20261101-20261130.zip'
    assert zipfile.ZipFile(io.BytesIO(content)).namelist() == [f'{IBAN}.txt']
