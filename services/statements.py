"""Statement files into client files: each statement lands on its IBAN, its entries become transactions
(idempotent, shared with the aggregator's), and it is routed to the IBAN's connector or the firm's global file.

A file is imported whole or not at all: one database transaction, and any statement that cannot be placed
(no IBAN, another IBAN than the page's) stops the whole file with a message naming it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select
from sqlmodel import Session

from services import access, db, events
from services.banking_models import BankAccount
from services.bulk import without_cycle_collection
from services.clients import visible_client
from services.clock import now
from services.errors import DomainError, Forbidden, InvalidInput, NotFound
from services.formats import FormatError, Statement, parse_file
from services.imports import FileTransaction, cents, import_transactions
from services.models import Client
from services.permissions import Actor, require
from services.statement_body import dump, fingerprint
from services.statement_models import BankStatement, Delivery
from services.validation import bank_of

MAX_FILE_BYTES = 50 * 1024 * 1024
_STATEMENTS = BankStatement.__table__


@dataclass
class ImportSummary:
    statements: int = 0
    already_known: int = 0
    entries: int = 0
    new_transactions: int = 0
    ibans: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    to_connector: int = 0
    touched: list[tuple[int, int, int]] = field(default_factory=list)  # (firm, client, account) with new statements

    def announce(self) -> None:
        """Tells the open screens, once the import is committed."""
        for firm_id, client_id, account_id in self.touched:
            events.emit(events.IbanChanged(firm_id, client_id, account_id, 'statements'))

    def sentence(self) -> str:
        known = f', {self.already_known} déjà connu(s)' if self.already_known else ''
        return (
            f'{self.statements} relevé(s) importé(s){known}, {self.new_transactions} nouvelle(s) opération(s) '
            f'sur {len(self.ibans)} IBAN.'
        )


def read_file(data: bytes, file_name: str, *, strict: bool = False) -> list[Statement]:
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput({'file': f'{file_name} : fichier trop volumineux (50 Mo au plus).'})
    if not data.strip():
        raise InvalidInput({'file': f'{file_name} : le fichier est vide.'})
    try:
        return parse_file(data, strict=strict)
    except FormatError as error:
        raise InvalidInput({'file': f'{file_name} : {error}'}) from None


def import_file(
    actor: Actor, *, client_id: int, data: bytes, file_name: str, account_id: int | None = None, strict: bool = False
) -> ImportSummary:
    """Upload into one client file (and, from an IBAN's page, into that IBAN only).

    Firm staff upload into the files they see; a client user only into an account of their company on which they
    hold gestion."""
    check_upload(actor, client_id=client_id, account_id=account_id)
    statements = read_file(data, file_name, strict=strict)
    with db.session_scope() as session:
        client = (visible_client if actor.is_firm_staff else _own_file)(session, actor, client_id)
        summary = import_statements(
            session, client, statements, source='file', file_name=file_name, account_id=account_id
        )
    summary.announce()
    return summary


def check_upload(actor: Actor, *, client_id: int, account_id: int | None) -> None:
    """Forbidden or NotFound unless ``actor`` may drop a statement file into this client file (or this account)."""
    with db.session_scope() as session:
        if account_id is not None:
            access.account(session, actor, account_id, 'account.upload')
        elif not actor.is_firm_staff:
            raise Forbidden('Déposez le relevé depuis le compte concerné.')
        require(actor, 'bank.manage' if actor.is_firm_staff else 'account.upload')
        (visible_client if actor.is_firm_staff else _own_file)(session, actor, client_id)


def _own_file(session: Session, actor: Actor, client_id: int) -> Client:
    if client_id != actor.client_id:
        raise NotFound('Dossier')
    return session.get(Client, client_id)


def import_for_siren(siren: str, data: bytes, file_name: str, *, strict: bool = False) -> ImportSummary:
    """The operator's import (``relais import``): no signed-in user, the client file named by its SIREN."""
    statements = read_file(data, file_name, strict=strict)
    with db.session_scope() as session:
        clients = session.execute(select(Client).where(Client.siren == siren)).scalars().all()
        if len(clients) != 1:
            raise DomainError(
                f'Aucun dossier client de SIREN {siren}.'
                if not clients
                else f'Plusieurs cabinets ont un dossier de SIREN {siren}.'
            )
        return import_statements(session, clients[0], statements, source='file', file_name=file_name)


def _account_for(session: Session, client: Client, statement: Statement, accounts: dict, account_id: int | None):
    if account_id is not None:
        account = session.get(BankAccount, account_id)
        if account is None or account.client_id != client.id:
            raise DomainError('IBAN introuvable.')
        if statement.iban and statement.iban != account.iban:
            raise DomainError(
                f'Ce fichier contient un relevé de l’IBAN {statement.iban}, pas de {account.iban} : '
                'importez-le depuis la liste des relevés du dossier.'
            )
        return account
    if not statement.iban:
        raise DomainError(
            f'Le relevé du compte {statement.account.display()} ne donne pas d’IBAN : '
            'importez-le depuis la page de l’IBAN concerné.'
        )
    if statement.iban not in accounts:
        bank, _ = bank_of(statement.iban)
        accounts[statement.iban] = BankAccount(
            client_id=client.id,
            firm_id=client.firm_id,
            iban=statement.iban,
            name=bank or 'Compte bancaire',
            currency=statement.currency,
        )
        session.add(accounts[statement.iban])
    return accounts[statement.iban]


def import_statements(
    session: Session,
    client: Client,
    statements: list[Statement],
    *,
    source: str,
    file_name: str | None = None,
    account_id: int | None = None,
    with_transactions: bool = True,
) -> ImportSummary:
    """``with_transactions=False`` for statements made from transactions Relais already has (the aggregator's)."""
    summary = ImportSummary()
    accounts = {
        a.iban: a for a in session.execute(select(BankAccount).where(BankAccount.client_id == client.id)).scalars()
    }
    by_account: dict[str, tuple[BankAccount, list[Statement]]] = {}
    for statement in statements:
        account = _account_for(session, client, statement, accounts, account_id)
        by_account.setdefault(account.iban, (account, []))[1].append(statement)
    session.flush()  # the new accounts at once: a file of 40 new IBANs costs one flush, not 40
    with without_cycle_collection():
        for account, group in by_account.values():
            _import_account(
                session, client, account, group, summary, with_transactions, source=source, file_name=file_name
            )
            summary.ibans.append(account.iban)
    return summary


def _import_account(
    session: Session,
    client: Client,
    account: BankAccount,
    group: list[Statement],
    summary: ImportSummary,
    with_transactions: bool,
    **origin,
) -> None:
    known = set(
        session.execute(select(_STATEMENTS.c.fingerprint).where(_STATEMENTS.c.account_id == account.id)).scalars()
    )
    rows, fresh = [], []
    for statement in group:
        key = fingerprint(account.iban, statement)
        if key in known:
            summary.already_known += 1
            continue
        known.add(key)
        fresh.append(statement)
        rows.append(_row(client, account, statement, key, **origin))
        summary.warnings.extend(f'{account.iban} : {w}' for w in statement.warnings)
    if not rows:
        return
    session.execute(insert(_STATEMENTS), rows)
    summary.statements += len(rows)
    summary.touched.append((client.firm_id, client.id, account.id))
    entries = [_transaction(entry, s.currency) for s in fresh for entry in s.entries]
    summary.entries += len(entries)
    if with_transactions:
        summary.new_transactions += import_transactions(session, account.id, None, entries).inserted
    if account.connector_id is not None:
        summary.to_connector += _deliveries(session, account, [row['fingerprint'] for row in rows])


def _row(client: Client, account: BankAccount, statement: Statement, key: str, *, source: str, file_name: str | None):
    return {
        'firm_id': client.firm_id,
        'client_id': client.id,
        'account_id': account.id,
        'source': source,
        'format': statement.format,
        'file_name': (file_name or '')[:200] or None,
        'currency': statement.currency,
        'opening_cents': _cents(statement.opening_balance),
        'opening_date': statement.opening_date,
        'closing_cents': _cents(statement.closing_balance),
        'closing_date': _closing_day(statement),
        'entry_count': len(statement.entries),
        'total_cents': cents(statement.total),
        'reconciles': statement.reconciles,
        'warnings': '\n'.join(statement.warnings) or None,
        'fingerprint': key,
        'body': dump(statement),
        'route': 'connector' if account.connector_id else 'global',
        'connector_id': account.connector_id,
        'created_at': now(),
    }


def _closing_day(statement: Statement) -> date | None:
    if statement.closing_date:
        return statement.closing_date
    return max((e.booking_date for e in statement.entries), default=statement.opening_date)


def _cents(amount) -> int | None:
    return None if amount is None else cents(amount)


def _transaction(entry, currency: str) -> FileTransaction:
    label, details = entry.label, entry.details
    if details:
        raw_label = ' '.join([label, *details]).strip() or None
        label = label or details[0]
    else:
        raw_label = label or None
    return FileTransaction(
        label=label,
        raw_label=raw_label,
        amount=entry.amount,
        currency=currency,
        booked=entry.booking_date,
        valued=entry.value_date,
        code=entry.code,
    )


def _deliveries(session: Session, account: BankAccount, keys: list[str]) -> int:
    ids = session.execute(
        select(_STATEMENTS.c.id, _STATEMENTS.c.closing_date).where(
            _STATEMENTS.c.account_id == account.id, _STATEMENTS.c.fingerprint.in_(keys)
        )
    ).all()
    for statement_id, closing in ids:
        session.add(
            Delivery(
                statement_id=statement_id,
                connector_id=account.connector_id,
                idempotency_key=uuid.uuid4().hex,
                file_name=f'releve-{account.iban}-{closing or "sans-date"}-{statement_id}',
            )
        )
    return len(ids)
