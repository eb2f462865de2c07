"""Relais is killed (SIGKILL) in the middle of an import of 200,000 entries, of a sync, of a delivery to a production
tool and of an SMS, then started again: nothing is half-written, nothing is there twice, nothing is lost, and each
interrupted piece of work is taken up again by itself."""

from __future__ import annotations

import asyncio
import importlib.util
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from sqlmodel import func, select

from services import connectors, db, outbox, statements
from services.banking_models import BankAccount, BankConnection, ProviderUser, Transaction
from services.clock import now
from services.formats.cfonb120 import iban_of
from services.formats.model import AccountId, Entry, Statement
from services.health_models import OutboxMessage
from services.models import Client, Firm, User
from services.permissions import Actor
from services.providers.bridge import PAGE_SIZE, BridgeAggregator
from services.statement_models import BankStatement, Delivery, StatementImport
from services.sync import external_user, register_connection
from tests.faults.conftest import CLIENT_ID, CLIENT_SECRET, Relais, Sandbox, wait_for

_spec = importlib.util.spec_from_file_location(
    'bench_import', Path(__file__).resolve().parents[2] / 'bench' / 'import.py'
)
bench_import = importlib.util.module_from_spec(_spec)  # its generator of statements (not on sys.path: bench/pages.py)
_spec.loader.exec_module(bench_import)
FICTIVE = 'EntrepriseFictive SARL'
BANK, BRANCH, NUMBER = '30004', '00821', '00012345678'


def count(model: type, *where: object) -> int:
    with db.session_scope() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def status_of(model: type) -> str:
    """The status of the one row of ``model`` (the import, the delivery, the message the test is about)."""
    with db.session_scope() as session:
        return session.exec(select(model)).one().status


def fictive() -> Client:
    with db.session_scope() as session:
        return session.exec(select(Client).where(Client.legal_name == FICTIVE)).one()


def admin() -> Actor:
    with db.session_scope() as session:
        return Actor.of(session.exec(select(User).where(User.email == 'admin@cabinet-demo.fr')).one())


def wal_bytes(relais: Relais) -> int:
    wal = relais.folder / 'relais.db-wal'
    return wal.stat().st_size if wal.exists() else 0


def test_an_import_of_200000_entries_cut_by_a_kill_is_imported_once_by_itself_at_the_restart(relais: Relais) -> None:
    generated = bench_import.generate(200_000)
    for statement in generated:  # no 05 records: the file stays under the 50 MB a person may drop
        for entry in statement.entries:
            entry.details = []
    data = bench_import.write_cfonb120(generated)
    client = fictive()
    (relais.folder / 'imports').mkdir()
    (relais.folder / 'imports' / 'big.bin').write_bytes(data)
    with db.session_scope() as session:  # dropped by a person a moment before the process went down
        session.add(
            StatementImport(firm_id=client.firm_id, client_id=client.id, file_name='gros.txt', stored_as='big.bin')
        )
    transactions, statements_before = count(Transaction), count(BankStatement)
    relais.start()
    wait_for(lambda: wal_bytes(relais) > 20_000_000, timeout=120, what='the import writing', log=relais.log)
    relais.kill()
    assert (count(Transaction), count(BankStatement)) == (transactions, statements_before)  # nothing half-written
    assert status_of(StatementImport) == 'pending'
    relais.start()
    wait_for(lambda: status_of(StatementImport) == 'done', timeout=240, what='the resumed import', log=relais.log)
    entries = sum(len(s.entries) for s in generated)
    assert count(Transaction) - transactions == entries == 200_000
    assert count(BankStatement) - statements_before == len(generated)
    with db.session_scope() as session:
        pairs = select(Transaction.account_id, Transaction.fingerprint).distinct().subquery()
        distinct = session.exec(select(func.count()).select_from(pairs)).one()
    assert distinct == count(Transaction)  # not one twice
    assert not (relais.folder / 'imports' / 'big.bin').exists()


def the_aggregator(sandbox: Sandbox) -> BridgeAggregator:
    """The sandbox seen from the test, as Relais sees it (its own adapter)."""
    return BridgeAggregator(
        key='bridge',
        label='Bridge',
        base_url=sandbox.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        webhook_secret='x',
    )


def connect_many_accounts(sandbox: Sandbox) -> int:
    """An item of the sandbox's « many » scenario (5 accounts, two years) recorded in Relais, due now."""
    client = fictive()

    async def create() -> int:
        module = the_aggregator(sandbox)
        try:
            user = external_user(client.id)
            uuid = await module.ensure_user(user)
            bank = next(b for b in await module.banks() if b.name == 'BNP Paribas')
            item_id = await module.create_demo_item(user, bank_id=bank.id, identifiant=f'many-kill{client.id}')
            item, accounts = await module.item(user, item_id), await module.accounts(user, item_id)
        finally:
            await module.aclose()
        with db.session_scope() as session:
            stored = session.get(Client, client.id)
            stored.sync_enabled, stored.sync_module = True, 'bridge'
            session.add(stored)
            session.add(
                ProviderUser(client_id=client.id, provider='bridge', external_user_id=user, provider_user_id=uuid)
            )
        return register_connection(admin(), client.id, 'bridge', item, accounts, bank.name)

    connection_id = asyncio.run(create())
    with db.session_scope() as session:
        connection = session.get(BankConnection, connection_id)
        connection.next_sync_at = now() - timedelta(seconds=1)
        session.add(connection)
    return connection_id


def aggregator_listing(sandbox: Sandbox, connection_id: int) -> dict[str, set[str]]:
    async def listing() -> dict[str, set[str]]:
        module = the_aggregator(sandbox)
        try:
            with db.session_scope() as session:
                query = select(BankAccount).where(BankAccount.connection_id == connection_id).order_by(BankAccount.id)
                accounts = session.exec(query).all()
            user = external_user(fictive().id)
            listed = {a.provider_account_id: await module.transactions(user, a.provider_account_id) for a in accounts}
            return {account: {t.id for t in found} for account, found in listed.items() if found}
        finally:
            await module.aclose()

    return asyncio.run(listing())


def held(connection_id: int) -> dict[str, set[str]]:
    with db.session_scope() as session:
        rows = session.exec(
            select(BankAccount.provider_account_id, Transaction.provider_transaction_id)
            .join(Transaction, Transaction.account_id == BankAccount.id)
            .where(BankAccount.connection_id == connection_id)
        ).all()
    found: dict[str, set[str]] = {}
    for account, transaction in rows:
        found.setdefault(account, set()).add(transaction)
    return found


def test_a_sync_cut_by_a_kill_between_two_accounts_finishes_by_itself_with_every_entry_once(
    relais: Relais, sandbox: Sandbox
) -> None:
    connection_id = connect_many_accounts(sandbox)
    expected = aggregator_listing(sandbox, connection_id)
    first_two = sum(-(-len(ids) // PAGE_SIZE) for ids in list(expected.values())[:2])  # their pages of 500
    # the third account's first page is held 8 s (within Relais's 10 s): the kill comes while the sync waits for it
    sandbox.post(
        '/sandbox/faults',
        {'kind': 'timeout', 'count': 1, 'seconds': 8, 'after': first_two, 'path': '/v3/aggregation/transactions'},
    )
    relais.start()
    wait_for(lambda: len(held(connection_id)) >= 2, timeout=60, what='two accounts imported', log=relais.log)
    with db.session_scope() as session:
        assert session.get(BankConnection, connection_id).sync_started_at is not None
    relais.kill()
    httpx_delete(sandbox)
    partial = held(connection_id)
    assert all(partial[a] == expected[a] for a in partial)  # each account imported whole, or not at all
    assert len(partial) < len(expected)
    relais.start()

    def finished() -> bool:
        with db.session_scope() as session:
            connection = session.get(BankConnection, connection_id)
            return connection.sync_started_at is None and connection.last_success_at is not None

    wait_for(finished, timeout=90, what='the resumed sync', log=relais.log)
    assert held(connection_id) == aggregator_listing(sandbox, connection_id)
    with db.session_scope() as session:
        assert session.get(BankConnection, connection_id).status == 'ok'


def httpx_delete(sandbox: Sandbox) -> None:
    httpx.delete(f'{sandbox.url}/sandbox/faults', timeout=5)


def one_day(day: date, opening: Decimal) -> tuple[bytes, Decimal]:
    """A CFONB 120 statement of EntrepriseFictive's BNP account for ``day``; the file and its closing balance."""
    account = AccountId(iban_of(BANK, BRANCH, NUMBER), BANK, BRANCH, NUMBER)
    moves = [
        Entry(booking_date=day, amount=Decimal(f'-{n}.10'), label=f'CB MARCHE {n}', code='B1') for n in range(1, 6)
    ]
    closing = opening + sum((e.amount for e in moves), Decimal(0))
    statement = Statement('cfonb120', account, 'EUR', opening, day - timedelta(days=1), closing, day, moves)
    return bench_import.write_cfonb120([statement]), closing


def a_statement_for_a_slow_production_tool(sandbox: Sandbox, receiver: str) -> str:
    """An IBAN of EntrepriseFictive on a webhook connector to the sandbox's tool, which stores the first file then
    holds its answer 15 s; one statement due to it. The delivery's idempotency key."""
    secret = 'relais-faults-secret-0123456789'
    body = {'secret': secret, 'hold_next': 15}
    httpx.put(f'{sandbox.url}/production/{receiver}', json=body, timeout=5).raise_for_status()
    connector = connectors.add_connector(
        admin(), kind='webhook', name='MEG (lent)', url=f'{sandbox.url}/production/{receiver}/releves', secret=secret
    )
    first, closing = one_day(date(2026, 11, 2), Decimal('100.00'))
    statements.import_for_siren(fictive().siren, first, 'lundi.txt')  # the IBAN appears in the client file
    with db.session_scope() as session:
        account = session.exec(select(BankAccount).where(BankAccount.iban == iban_of(BANK, BRANCH, NUMBER))).one()
        account.connector_id = connector.id
        session.add(account)
    statements.import_for_siren(fictive().siren, one_day(date(2026, 11, 3), closing)[0], 'mardi.txt')
    with db.session_scope() as session:
        return session.exec(select(Delivery.idempotency_key)).one()


def test_a_delivery_cut_by_a_kill_reaches_the_production_tool_exactly_once(relais: Relais, sandbox: Sandbox) -> None:
    key = a_statement_for_a_slow_production_tool(sandbox, 'kill-meg')
    relais.start()
    wait_for(
        lambda: sandbox.get('/production/kill-meg/releves'), timeout=60, what='the file at the tool', log=relais.log
    )
    relais.kill()  # the tool has the file; Relais never heard it say so
    assert status_of(Delivery) == 'pending'
    relais.start()
    wait_for(
        lambda: status_of(Delivery) == 'acknowledged', timeout=60, what='the delivery acknowledged', log=relais.log
    )
    received = sandbox.get('/production/kill-meg/releves')
    assert [file['key'] for file in received] == [key]


def test_an_sms_cut_by_a_kill_is_sent_again_and_reaches_the_phone_once(relais: Relais, sandbox: Sandbox) -> None:
    sandbox.post('/sms/hold', {'count': 1, 'seconds': 15})
    with db.session_scope() as session:
        firm_id = session.exec(select(Firm.id)).first()
        outbox.enqueue(
            session,
            firm_id=firm_id,
            channel='sms',
            recipient='+33611223344',
            body='Relais : votre mot de passe temporaire est Zt5-kill-9Q (identifiant envoyé par e-mail).',
            summary='Mot de passe temporaire',
            confidential=True,
        )

    def at_the_phone() -> list[dict]:
        return [m for m in sandbox.get('/messages.json') if 'Zt5-kill-9Q' in m['body']]

    relais.start()
    wait_for(at_the_phone, timeout=60, what='the SMS at the operator', log=relais.log)
    relais.kill()
    relais.start()

    wait_for(lambda: status_of(OutboxMessage) == 'sent', timeout=60, what='the SMS marked sent', log=relais.log)
    assert len(at_the_phone()) == 1  # 0 lost, none twice
    with db.session_scope() as session:
        assert session.exec(select(OutboxMessage)).one().body == ''
