"""The entries of a treasury account in ventilation: listed page by page on the server, and removed from the list.

« Écritures en attente de ventilation » are the booked transactions of the bank accounts linked to the treasury
account, whatever brought them (aggregator, statement file, mandated bank). « SUPPRESSION D'ÉCRITURES EN ATTENTE DE
VENTILATION » takes the pending entries of one bank account between two dates out of the list: without the box they
come back when an import brings them again (services.imports puts them back); with « Ignorer ces écritures » they
never do. Allocated and validated entries, the transactions themselves and their statements are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import false, func
from sqlmodel import Session, col, select, update

from services import access, audit, events, ventilation_access
from services.allocations import lines_of
from services.banking_models import BankAccount, Transaction
from services.counterparty import counterparty_of
from services.db import session_scope
from services.errors import DomainError, InvalidInput, NotFound
from services.formatting import day
from services.permissions import Actor
from services.ventilation_models import IGNORED, PENDING, REMOVED, STATE_LABELS, AllocationLine

MAX_REMOVAL = 5_000  # the confirmation lists what goes: beyond that, narrow the dates


@dataclass(frozen=True)
class EntryFilter:
    state: str = PENDING
    start: date | None = None
    end: date | None = None
    min_cents: int | None = None  # on the absolute amount
    max_cents: int | None = None
    text: str = ''


@dataclass(frozen=True)
class EntryRow:
    id: int
    date: date
    label: str
    amount_cents: int
    currency: str
    account_id: int
    iban: str
    state: str
    counterparty: str
    lines: list[AllocationLine] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class EntryPage:
    rows: list[EntryRow]
    total: int


def _filtered(query, account_ids: list[int], flt: EntryFilter):
    query = query.where(
        col(Transaction.account_id).in_(account_ids),
        Transaction.ventilation == flt.state,
        Transaction.pending == false(),
    )
    if flt.start:
        query = query.where(Transaction.date >= flt.start)
    if flt.end:
        query = query.where(Transaction.date <= flt.end)
    if flt.min_cents is not None:
        query = query.where(func.abs(Transaction.amount_cents) >= flt.min_cents)
    if flt.max_cents is not None:
        query = query.where(func.abs(Transaction.amount_cents) <= flt.max_cents)
    if flt.text.strip():
        query = query.where(func.lower(Transaction.label).contains(flt.text.strip().lower()))
    return query


def _rows(session: Session, found: list[tuple[Transaction, str]], with_lines: bool) -> list[EntryRow]:
    lines = lines_of(session, [t.id for t, _ in found]) if with_lines else {}
    return [
        EntryRow(
            t.id, t.date, t.label, t.amount_cents, t.currency, t.account_id, iban, t.ventilation,
            counterparty_of(t.label), lines.get(t.id, []),
        )
        for t, iban in found
    ]  # fmt: skip


def list_entries(actor: Actor, treasury_id: int, flt: EntryFilter, *, page: int = 1, per_page: int = 50) -> EntryPage:
    """One page of the treasury account's entries in ``flt.state``, oldest first (the backlog is worked in order)."""
    with session_scope() as session:
        _, account_ids = ventilation_access.treasury(session, actor, treasury_id, 'ventilation.view')
        if not account_ids:
            return EntryPage([], 0)
        total = session.exec(_filtered(select(func.count()).select_from(Transaction), account_ids, flt)).one()
        query = _filtered(select(Transaction, BankAccount.iban).join(BankAccount), account_ids, flt)
        query = query.order_by(Transaction.date, Transaction.id).offset((max(page, 1) - 1) * per_page).limit(per_page)
        return EntryPage(_rows(session, list(session.exec(query)), flt.state != PENDING), total)


def counts(actor: Actor, treasury_id: int) -> dict[str, int]:
    """How many entries wait, are allocated, validated: the tabs' figures."""
    with session_scope() as session:
        _, account_ids = ventilation_access.treasury(session, actor, treasury_id, 'ventilation.view')
        if not account_ids:
            return {}
        query = (
            select(Transaction.ventilation, func.count())
            .where(col(Transaction.account_id).in_(account_ids), Transaction.pending == false())
            .group_by(Transaction.ventilation)
        )
        return dict(session.exec(query).all())


def _removable(session: Session, actor: Actor, account_id: int, start: date | None, end: date | None):
    if start is None or end is None:
        raise InvalidInput({'dates': 'Indiquez le début et la fin de la période.'})
    if start > end:
        raise InvalidInput({'dates': 'La fin de la période précède son début.'})
    try:
        access.account(session, actor, account_id, 'ventilation.prepare')
    except NotFound:
        raise NotFound('Compte') from None
    return (
        select(Transaction, BankAccount.iban)
        .join(BankAccount)
        .where(
            Transaction.account_id == account_id,
            Transaction.ventilation == PENDING,
            Transaction.pending == false(),
            Transaction.date >= start,
            Transaction.date <= end,
        )
    )


def removal_preview(actor: Actor, *, account_id: int, start: date | None, end: date | None) -> list[EntryRow]:
    """The pending entries « Supprimer » would take out: the list the user confirms."""
    with session_scope() as session:
        query = _removable(session, actor, account_id, start, end).order_by(Transaction.date, Transaction.id)
        rows = list(session.exec(query.limit(MAX_REMOVAL + 1)))
        if len(rows) > MAX_REMOVAL:
            raise DomainError(f'Plus de {MAX_REMOVAL} écritures sur cette période : réduisez-la.')
        return _rows(session, rows, False)


def remove_pending(
    actor: Actor, *, account_id: int, start: date | None, end: date | None, ignore: bool, seen_ids: list[int]
) -> int:
    """Take out of the list the pending entries the user saw in the preview (one that came after is left alone)."""
    with session_scope() as session:
        query = _removable(session, actor, account_id, start, end).where(col(Transaction.id).in_(seen_ids or [0]))
        ids = [t.id for t, _ in session.exec(query)]
        if not ids:
            raise DomainError('Aucune écriture en attente à supprimer sur cette période.')
        session.exec(
            update(Transaction).where(col(Transaction.id).in_(ids)).values(ventilation=IGNORED if ignore else REMOVED)
        )
        account = session.get(BankAccount, account_id)
        audit.record(
            session,
            'ventilation.ignored' if ignore else 'ventilation.removed',
            actor=actor,
            target_type='bank_account',
            target_id=account_id,
            detail=f'{len(ids)} écritures du {day(start)} au {day(end)}'
            + (' — ne plus les importer' if ignore else ''),
        )
    events.emit(events.VentilationChanged(account.client_id, 'removed'))
    return len(ids)


@dataclass(frozen=True)
class TreasuryChoice:
    id: int
    label: str
    accounts: dict[int, str]  # bank account id → « FR76 … 0123 — Compte courant »
    may_prepare: bool
    may_validate: bool


@dataclass(frozen=True)
class VentilationHome:
    client_id: int
    client_name: str
    treasuries: list[TreasuryChoice]
    unlinked: int  # bank accounts of the file linked to no treasury account: their entries wait for that


def _account_name(account: BankAccount) -> str:
    return f'{account.iban[:4]} … {account.iban[-4:]} — {account.name}'


def overview(actor: Actor, client_id: int) -> VentilationHome:
    """What the ventilation screen of a file offers this actor: its treasury accounts and what they may do there."""
    with session_scope() as session:
        client = ventilation_access.client_file(session, actor, client_id, 'ventilation.view')
        seen = ventilation_access.accounts_for(session, actor, client_id, 'ventilation.view')
        prepare = {a.id for a in ventilation_access.accounts_for(session, actor, client_id, 'ventilation.prepare')}
        validate = {a.id for a in ventilation_access.accounts_for(session, actor, client_id, 'ventilation.validate')}
        choices = []
        for treasury in ventilation_access.treasury_accounts(session, actor, client_id):
            mine = [a for a in seen if a.treasury_account_id == treasury.id]
            if mine or actor.is_firm_staff:
                choices.append(
                    TreasuryChoice(
                        treasury.id,
                        treasury.label,
                        {a.id: _account_name(a) for a in mine},
                        any(a.id in prepare for a in mine),
                        any(a.id in validate for a in mine),
                    )
                )
        unlinked = sum(1 for a in seen if a.treasury_account_id is None)
        return VentilationHome(client.id, client.legal_name, choices, unlinked)
