"""« SUPPRESSION D'ÉCRITURES EN ATTENTE DE VENTILATION »: without the box they may come back, with it never."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from services import allocations, entries
from services.allocation_template import SplitLine
from services.banking_models import Transaction
from services.db import session_scope
from services.entries import EntryFilter
from services.errors import InvalidInput
from services.imports import import_transactions
from services.permissions import Actor
from services.ventilation_models import ALLOCATED, IGNORED
from tests import ventilation_world
from tests.ventilation_world import VentilationWorld

START, END = date(2026, 11, 1), date(2026, 11, 10)


@pytest.fixture
def world(demo_data: None) -> VentilationWorld:
    return ventilation_world.build()


def pending_labels(actor: Actor, world: VentilationWorld) -> list[str]:
    return [row.label for row in entries.list_entries(actor, world.treasury_id, EntryFilter(), per_page=100).rows]


def import_november_again(world: VentilationWorld) -> None:
    with session_scope() as session:
        import_transactions(session, world.account_id, None, ventilation_world.entries())


def remove_first_days(actor: Actor, world: VentilationWorld, *, ignore: bool) -> int:
    seen = entries.removal_preview(actor, account_id=world.account_id, start=START, end=END)
    return entries.remove_pending(
        actor, account_id=world.account_id, start=START, end=END, ignore=ignore, seen_ids=[row.id for row in seen]
    )


def test_the_confirmation_lists_the_pending_entries_of_the_account_between_the_dates(
    admin: Actor, world: VentilationWorld
) -> None:
    seen = entries.removal_preview(admin, account_id=world.account_id, start=START, end=END)
    assert [row.date.day for row in seen] == [3, 4, 5, 6, 7, 10]


def test_removed_entries_leave_the_list_and_come_back_when_an_import_brings_them_again(
    admin: Actor, world: VentilationWorld
) -> None:
    assert remove_first_days(admin, world, ignore=False) == 6
    assert len(pending_labels(admin, world)) == 6
    import_november_again(world)
    assert len(pending_labels(admin, world)) == 12


def test_ignored_entries_never_come_back_through_an_import(admin: Actor, world: VentilationWorld) -> None:
    remove_first_days(admin, world, ignore=True)
    import_november_again(world)
    labels = pending_labels(admin, world)
    assert len(labels) == 6 and not any('EDF' in label and '031126' in label for label in labels)
    with session_scope() as session:  # the transactions themselves are still there, for statements and « Opérations »
        states = session.exec(select(Transaction.ventilation).where(Transaction.account_id == world.account_id)).all()
        assert states.count(IGNORED) == 6 and len(states) == 12


def test_nothing_else_is_touched_allocated_entries_in_the_range_stay(admin: Actor, world: VentilationWorld) -> None:
    orange = entries.list_entries(admin, world.treasury_id, EntryFilter(text='ORANGE')).rows[0].id
    allocations.allocate(admin, orange, [SplitLine('626', '', -3999, 2000)])
    assert remove_first_days(admin, world, ignore=True) == 5
    with session_scope() as session:
        assert session.get(Transaction, orange).ventilation == ALLOCATED


def test_an_entry_that_arrived_after_the_confirmation_was_shown_is_left_alone(
    admin: Actor, world: VentilationWorld
) -> None:
    seen = entries.removal_preview(admin, account_id=world.account_id, start=START, end=END)
    late = ventilation_world.entries(((8, 'CB BOULANGERIE DU LAC 07/11', '-6.40'),))
    with session_scope() as session:
        import_transactions(session, world.account_id, None, late)
    entries.remove_pending(
        admin, account_id=world.account_id, start=START, end=END, ignore=True, seen_ids=[row.id for row in seen]
    )
    assert pending_labels(admin, world)[0] == 'CB BOULANGERIE DU LAC 07/11'


def test_a_period_needs_both_dates_in_order(admin: Actor, world: VentilationWorld) -> None:
    with pytest.raises(InvalidInput, match='précède son début'):
        entries.removal_preview(admin, account_id=world.account_id, start=END, end=START)
    with pytest.raises(InvalidInput, match='début et la fin'):
        entries.removal_preview(admin, account_id=world.account_id, start=None, end=END)


def test_the_journal_records_the_removal_with_the_box(admin: Actor, world: VentilationWorld) -> None:
    from services.models import AuditEvent

    remove_first_days(admin, world, ignore=True)
    with session_scope() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == 'ventilation.ignored')).one()
        assert event.detail == '6 écritures du 01/11/2026 au 10/11/2026 — ne plus les importer'
        assert session.exec(select(func.count()).select_from(Transaction)).one() >= 12
