"""Ventilation of a client file: the pending list, allocating with VAT, validating and its lock."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from services import allocations, entries
from services.allocation_template import SplitLine, TemplateLine
from services.banking_models import Transaction
from services.db import session_scope
from services.entries import EntryFilter
from services.errors import Forbidden, InvalidInput, NotFound
from services.formatting import money
from services.models import AuditEvent
from services.permissions import Actor
from services.ventilation_models import ALLOCATED, PENDING, VALIDATED, AllocationLine
from tests import ventilation_world
from tests.ventilation_world import VentilationWorld


@pytest.fixture
def world(demo_data: None) -> VentilationWorld:
    return ventilation_world.build()


def pending(actor: Actor, world: VentilationWorld, **filters) -> list[entries.EntryRow]:
    return entries.list_entries(actor, world.treasury_id, EntryFilter(**filters), per_page=100).rows


def entry_id(actor: Actor, world: VentilationWorld, text: str) -> int:
    return pending(actor, world, text=text)[0].id


def test_the_pending_entries_of_a_treasury_account_come_oldest_first_a_page_at_a_time(
    admin: Actor, world: VentilationWorld
) -> None:
    second_page = entries.list_entries(admin, world.treasury_id, EntryFilter(), page=2, per_page=5)
    assert second_page.total == 12
    assert [row.date.day for row in second_page.rows] == [10, 12, 14, 17, 18]


def test_the_list_filters_by_text_amount_and_dates(admin: Actor, world: VentilationWorld) -> None:
    assert [row.amount_cents for row in pending(admin, world, text='edf')] == [-12000, -8000]
    assert [row.label for row in pending(admin, world, min_cents=95000, max_cents=96000)] == [
        'VIR SEPA RECU /DE GARAGE DES ALPES /MOTIF FACTURE 2026-121',
        'VIR SEPA EMIS /A LOYER BUREAUX NOVEMBRE',
    ]
    assert len(pending(admin, world, start=date(2026, 11, 17), end=date(2026, 11, 20))) == 3


def test_an_entry_allocated_with_vat_leaves_the_pending_list_with_its_vat_line(
    admin: Actor, world: VentilationWorld
) -> None:
    edf = entry_id(admin, world, 'EDF CLIENTS PARTICULIERS ECH/031126')
    allocations.allocate(admin, edf, [SplitLine('6061', 'Électricité novembre', -12000, 2000)])
    assert edf not in [row.id for row in pending(admin, world)]
    [allocated] = [row for row in pending(admin, world, state=ALLOCATED) if row.id == edf]
    [line] = allocated.lines
    assert (line.account_number, line.amount_cents, line.vat_cents) == ('6061', -12000, -2000)
    assert line.account_label


def test_a_split_must_add_up_to_the_entry_and_nothing_is_written_otherwise(
    admin: Actor, world: VentilationWorld
) -> None:
    urssaf = entry_id(admin, world, 'URSSAF')
    with pytest.raises(InvalidInput) as refused:
        allocations.allocate(admin, urssaf, [SplitLine('6451', '', -100000, 0), SplitLine('6411', '', -20000, 0)])
    assert str(refused.value) == f'Les lignes font {money(120000)} pour une écriture de {money(125000)}.'
    with session_scope() as session:
        assert session.get(Transaction, urssaf).ventilation == PENDING
        assert not session.exec(select(AllocationLine).where(AllocationLine.transaction_id == urssaf)).all()


def test_an_account_outside_the_chart_is_refused(admin: Actor, world: VentilationWorld) -> None:
    with pytest.raises(InvalidInput, match='compte « 999999 » inconnu'):
        allocations.allocate(admin, entry_id(admin, world, 'URSSAF'), [SplitLine('999999', '', -125000, 0)])


def test_applying_shares_to_a_selection_gives_each_entry_lines_that_add_up_to_the_cent(
    admin: Actor, world: VentilationWorld
) -> None:
    ids = [row.id for row in pending(admin, world, text='CB ')]
    template = [TemplateLine('6257', 60, 2000), TemplateLine('6251', 40, 1000)]
    assert allocations.allocate_many(admin, ids, template) == 3
    rows = [row for row in pending(admin, world, state=ALLOCATED) if row.id in ids]
    assert all(sum(line.amount_cents for line in row.lines) == row.amount_cents for row in rows)
    carrefour = next(row for row in rows if 'CARREFOUR' in row.label)
    assert [line.amount_cents for line in carrefour.lines] == [-2736, -1824]


def test_a_validated_entry_is_locked_until_a_validator_reopens_it_and_the_journal_says_who(
    admin: Actor, world: VentilationWorld
) -> None:
    rent = entry_id(admin, world, 'LOYER')
    allocations.allocate(admin, rent, [SplitLine('6132', '', -95000, 0)])
    allocations.validate(admin, [rent])
    with pytest.raises(Forbidden, match='un valideur doit la rouvrir'):
        allocations.allocate(admin, rent, [SplitLine('6135', '', -95000, 0)])
    allocations.reopen(admin, rent)
    allocations.allocate(admin, rent, [SplitLine('6135', '', -95000, 0)])
    with session_scope() as session:
        assert session.get(Transaction, rent).ventilation == ALLOCATED
        reopened = session.exec(select(AuditEvent).where(AuditEvent.action == 'ventilation.reopened')).one()
        assert (reopened.actor_email, reopened.target_id) == ('admin@cabinet-demo.fr', str(rent))


def test_only_allocated_entries_can_be_validated(admin: Actor, world: VentilationWorld) -> None:
    with pytest.raises(Exception, match='n’est pas ventilée'):
        allocations.validate(admin, [entry_id(admin, world, 'LOYER')])


def test_an_unassigned_collaborator_finds_no_such_entry(demo_data: None, world: VentilationWorld) -> None:
    from tests.actors import sign_in

    outsider = sign_in('claire.bernard@cabinet-demo.fr')
    with session_scope() as session:
        some = session.exec(select(Transaction.id).where(Transaction.account_id == world.account_id)).first()
    with pytest.raises(NotFound):
        allocations.allocate(outsider, some, [SplitLine('627', '', -850, 0)])
    with pytest.raises(NotFound):
        entries.list_entries(outsider, world.treasury_id, EntryFilter())


def test_validation_locks_the_states_in_the_database(admin: Actor, world: VentilationWorld) -> None:
    fees = entry_id(admin, world, 'FRAIS TENUE')
    allocations.allocate(admin, fees, [SplitLine('627', '', -850, 0)])
    assert allocations.validate(admin, [fees, fees]) == 1
    assert [row.id for row in pending(admin, world, state=VALIDATED)] == [fees]
