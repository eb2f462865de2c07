"""Allocating entries to accounts (« ventiler »), validating them, reopening them.

A préparateur (gestion right) allocates and changes allocations; a valideur (validation right) validates, which locks
the entry: changing it then needs a valideur to reopen it first, and the audit journal says who did. Every check is
made here, on each entry's account, whatever the screen.
"""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from services import audit, chart, events, ventilation_access
from services.allocation_template import SplitLine, TemplateLine, split
from services.allocation_template import problems as template_problems
from services.banking_models import Transaction
from services.clock import now
from services.counterparty import counterparty_of
from services.db import session_scope
from services.errors import DomainError, Forbidden, InvalidInput
from services.formatting import money
from services.ledger import VAT_RATES_BP, vat_cents
from services.permissions import Actor
from services.ventilation_models import ALLOCATED, PENDING, VALIDATED, Allocation, AllocationLine

LOCKED = 'Écriture validée : un valideur doit la rouvrir avant toute modification.'


def check_lines(session: Session, client_id: int, amount_cents: int, lines: list[SplitLine]) -> list[str]:
    """The label of each line's account, or InvalidInput saying what is wrong (in French)."""
    if not lines:
        raise InvalidInput({'lines': 'Ajoutez au moins une ligne.'})
    labels = []
    for index, line in enumerate(lines, start=1):
        label = chart.account_label(session, client_id, line.account_number)
        if label is None:
            raise InvalidInput({'lines': f'Ligne {index} : compte « {line.account_number} » inconnu.'})
        if line.vat_rate_bp not in VAT_RATES_BP:
            raise InvalidInput({'lines': f'Ligne {index} : taux de TVA inconnu.'})
        if line.amount_cents == 0:
            raise InvalidInput({'lines': f'Ligne {index} : le montant est nul.'})
        labels.append(label)
    total = sum(line.amount_cents for line in lines)
    if total != amount_cents:
        raise InvalidInput(
            {'lines': f'Les lignes font {money(abs(total))} pour une écriture de {money(abs(amount_cents))}.'}
        )
    return labels


def write_allocation(
    session: Session,
    entry: Transaction,
    client_id: int,
    lines: list[SplitLine],
    *,
    actor: Actor,
    rule_id: int | None = None,
) -> None:
    """Replace the entry's allocation by ``lines`` (already checked)."""
    labels = check_lines(session, client_id, entry.amount_cents, lines)
    session.exec(delete(AllocationLine).where(col(AllocationLine.transaction_id) == entry.id))
    session.exec(delete(Allocation).where(col(Allocation.transaction_id) == entry.id))
    session.add(
        Allocation(
            transaction_id=entry.id,
            client_id=client_id,
            counterparty=counterparty_of(entry.label),
            rule_id=rule_id,
            prepared_by=actor.user_id,
        )
    )
    session.flush()
    for position, (line, account_label) in enumerate(zip(lines, labels, strict=True), start=1):
        session.add(
            AllocationLine(
                transaction_id=entry.id,
                position=position,
                account_number=line.account_number,
                account_label=account_label,
                label=(line.label or entry.label)[:200],
                amount_cents=line.amount_cents,
                vat_rate_bp=line.vat_rate_bp,
                vat_cents=vat_cents(line.amount_cents, line.vat_rate_bp),
            )
        )
    entry.ventilation = ALLOCATED
    session.add(entry)


def _preparable(session: Session, actor: Actor, transaction_id: int) -> tuple[Transaction, int]:
    entry, account = ventilation_access.entry(session, actor, transaction_id, 'ventilation.prepare')
    if entry.ventilation == VALIDATED:
        raise Forbidden(LOCKED)
    if entry.ventilation not in (PENDING, ALLOCATED) or entry.pending:
        raise DomainError('Cette écriture n’est plus en attente de ventilation.')
    return entry, account.client_id


def allocate(actor: Actor, transaction_id: int, lines: list[SplitLine]) -> None:
    """« Enregistrer » the allocation of one entry: its lines must add up to it."""
    with session_scope() as session:
        entry, client_id = _preparable(session, actor, transaction_id)
        write_allocation(session, entry, client_id, lines, actor=actor)
        audit.record(
            session,
            'ventilation.allocated',
            actor=actor,
            target_type='transaction',
            target_id=entry.id,
            detail=f'{entry.label[:80]} : '
            + ', '.join(f'{line.account_number} {money(line.amount_cents)}' for line in lines),
        )
    events.emit(events.VentilationChanged(client_id, 'allocated'))


def allocate_many(actor: Actor, transaction_ids: list[int], template: list[TemplateLine]) -> int:
    """« Appliquer à la sélection »: each entry gets the template's shares of its own amount. All or nothing."""
    problem = template_problems(template)
    if problem:
        raise InvalidInput({'lines': problem})
    client_ids = set()
    with session_scope() as session:
        for transaction_id in dict.fromkeys(transaction_ids):
            entry, client_id = _preparable(session, actor, transaction_id)
            write_allocation(session, entry, client_id, split(entry.amount_cents, template, entry.label), actor=actor)
            client_ids.add(client_id)
        if client_ids:
            audit.record(
                session,
                'ventilation.allocated',
                actor=actor,
                target_type='client',
                target_id=next(iter(client_ids)),
                detail=f'{len(transaction_ids)} écritures : '
                + ', '.join(f'{line.account_number} {line.share} %' for line in template),
            )
    for client_id in client_ids:
        events.emit(events.VentilationChanged(client_id, 'allocated'))
    return len(set(transaction_ids))


def unallocate(actor: Actor, transaction_id: int) -> None:
    """« Remettre en attente »: the lines go, the entry waits again."""
    with session_scope() as session:
        entry, client_id = _preparable(session, actor, transaction_id)
        session.exec(delete(AllocationLine).where(col(AllocationLine.transaction_id) == entry.id))
        session.exec(delete(Allocation).where(col(Allocation.transaction_id) == entry.id))
        entry.ventilation = PENDING
        session.add(entry)
    events.emit(events.VentilationChanged(client_id, 'allocated'))


def validate(actor: Actor, transaction_ids: list[int]) -> int:
    """« Valider »: allocated entries become locked. All or nothing: one that cannot be validated stops the lot."""
    ids = list(dict.fromkeys(transaction_ids))
    if not ids:
        raise DomainError('Sélectionnez les écritures ventilées à valider.')
    with session_scope() as session:
        client_id = None
        for transaction_id in ids:
            entry, account = ventilation_access.entry(session, actor, transaction_id, 'ventilation.validate')
            if entry.ventilation != ALLOCATED:
                raise DomainError(f'« {entry.label[:60]} » n’est pas ventilée : elle ne peut pas être validée.')
            allocation = session.get(Allocation, entry.id)
            allocation.validated_by, allocation.validated_at = actor.user_id, now()
            entry.ventilation = VALIDATED
            session.add_all([allocation, entry])
            client_id = account.client_id
        audit.record(
            session,
            'ventilation.validated',
            actor=actor,
            target_type='client',
            target_id=client_id,
            detail=f'{len(ids)} écritures',
        )
    events.emit(events.VentilationChanged(client_id, 'validated'))
    return len(ids)


def reopen(actor: Actor, transaction_id: int) -> None:
    """« Rouvrir » a validated entry: a valideur only; it goes back to « Ventilée » with its lines."""
    with session_scope() as session:
        entry, account = ventilation_access.entry(session, actor, transaction_id, 'ventilation.validate')
        if entry.ventilation != VALIDATED:
            raise DomainError('Cette écriture n’est pas validée.')
        allocation = session.get(Allocation, entry.id)
        allocation.validated_by = allocation.validated_at = None
        entry.ventilation = ALLOCATED
        session.add_all([allocation, entry])
        audit.record(
            session,
            'ventilation.reopened',
            actor=actor,
            target_type='transaction',
            target_id=entry.id,
            detail=f'{entry.date:%d/%m/%Y} {entry.label[:80]} {money(entry.amount_cents)}',
        )
    events.emit(events.VentilationChanged(account.client_id, 'reopened'))


def lines_of(session: Session, transaction_ids: list[int]) -> dict[int, list[AllocationLine]]:
    out: dict[int, list[AllocationLine]] = {}
    if not transaction_ids:
        return out
    query = (
        select(AllocationLine)
        .where(col(AllocationLine.transaction_id).in_(transaction_ids))
        .order_by(AllocationLine.transaction_id, AllocationLine.position)
    )
    for line in session.exec(query):
        out.setdefault(line.transaction_id, []).append(line)
    return out
