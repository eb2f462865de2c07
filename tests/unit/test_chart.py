"""The chart of accounts of a file: the standard PCG, searched by number or words, and the file's own accounts."""

from __future__ import annotations

import pytest
from sqlmodel import select

from services import chart, db, demo
from services.audit import events_for_firm
from services.banking_models import Transaction
from services.chart import AccountInUse
from services.errors import Forbidden, InvalidInput, NotFound
from services.models import Client, User
from services.permissions import COMPTABLE, Actor
from services.ventilation_models import Allocation, AllocationLine
from tests import ventilation_world
from tests.actors import sign_in


def file_id(name: str) -> int:
    with db.session_scope() as session:
        return session.exec(select(Client.id).where(Client.legal_name == name)).one()


@pytest.fixture
def bakery(demo_data: None) -> int:
    """A file of the demo firm with no account of its own yet."""
    return file_id('Boulangerie Dupont')


def numbers(choices: list[chart.AccountChoice]) -> list[str]:
    return [c.number for c in choices]


def test_the_standard_chart_holds_the_accounts_of_every_day(demo_data: None) -> None:
    expected = {
        '401': 'Fournisseurs',
        '411': 'Clients',
        '44566': 'TVA sur autres biens et services',
        '44571': 'TVA collectée',
        '512': 'Banques',
        '6061': 'Fournitures non stockables (eau, énergie, etc.)',
        '6226': 'Honoraires',
        '6256': 'Missions',
        '627': 'Services bancaires et assimilés',
        '706': 'Prestations de services',
        '707': 'Ventes de marchandises',
    }
    assert {number: chart.pcg_label(number) for number in expected} == expected
    assert chart.pcg_label('791') is None  # transfers of charges left the PCG in 2025


def test_a_number_finds_the_account_and_the_accounts_under_it(admin: Actor, bakery: int) -> None:
    found = chart.search_accounts(admin, bakery, '606')
    assert numbers(found) == ['606', '6061', '6063', '6064', '6068']


def test_words_of_the_label_are_found_without_accents_nor_capitals(admin: Actor, bakery: int) -> None:
    assert numbers(chart.search_accounts(admin, bakery, 'fournitures ENERGIE')) == ['6061']
    assert numbers(chart.search_accounts(admin, bakery, 'tva collectee')) == ['44571']
    assert '6256' in numbers(chart.search_accounts(admin, bakery, 'missions'))


def test_the_file_s_own_accounts_come_first(admin: Actor, bakery: int) -> None:
    chart.save_own_account(admin, bakery, number='401edf', label='EDF', collective='401')
    chart.save_own_account(admin, bakery, number='6061001', label='Électricité de l’atelier')
    by_number = chart.search_accounts(admin, bakery, '40')
    assert numbers(by_number)[:2] == ['401EDF', '40']
    assert [c.own for c in by_number[:2]] == [True, False]
    assert numbers(chart.search_accounts(admin, bakery, 'edf')) == ['401EDF']
    assert numbers(chart.search_accounts(admin, bakery, 'electricite')) == ['6061001']


def test_nothing_typed_offers_the_own_accounts_then_the_usual_expenses_and_sales(admin: Actor, bakery: int) -> None:
    chart.save_own_account(admin, bakery, number='411DUPONT', label='Boulangerie Dupont', collective='411')
    first_page = numbers(chart.search_accounts(admin, bakery, '  '))
    assert first_page[:3] == ['411DUPONT', '6061', '6063']
    assert {'6226', '627', '706', '707', '401', '411', '44566'} <= set(first_page)


def test_the_label_of_a_line_s_account_comes_from_the_file_then_the_pcg(admin: Actor, bakery: int) -> None:
    chart.save_own_account(admin, bakery, number='6226001', label='Honoraires de l’expert-comptable')
    with db.session_scope() as session:
        assert chart.account_label(session, bakery, '6226001') == 'Honoraires de l’expert-comptable'
        assert chart.account_label(session, bakery, '6226') == 'Honoraires'
        assert chart.account_label(session, bakery, '6226002') is None
        assert not chart.is_known(session, file_id('Garage des Alpes'), '6226001')


def test_a_collaborator_not_assigned_to_the_file_finds_no_chart(bakery: int) -> None:
    outsider = sign_in('claire.bernard@cabinet-demo.fr')
    with pytest.raises(NotFound):
        chart.search_accounts(outsider, bakery, '606')
    with pytest.raises(NotFound):
        chart.list_own_accounts(outsider, bakery)


def test_a_comptable_searches_the_chart_but_cannot_add_accounts(demo_data: None) -> None:
    fictive = file_id(demo.FICTIVE)
    with db.session_scope() as session:
        user = User(
            email='comptable@entreprise-fictive.fr',
            first_name='Lucie',
            last_name='Garnier',
            role=COMPTABLE,
            client_id=fictive,
            password_hash='x',
        )
        session.add(user)
        session.flush()
        comptable = Actor.of(user)
    assert numbers(chart.search_accounts(comptable, fictive, '6226')) == ['6226']
    with pytest.raises(Forbidden):
        chart.save_own_account(comptable, fictive, number='6226001', label='Expert-comptable')
    assert chart.list_own_accounts(comptable, fictive) == []


@pytest.mark.parametrize(
    ('number', 'collective', 'message'),
    [
        ('', None, 'Saisissez le numéro du compte.'),
        ('60', None, 'Le numéro compte de 3 à 20 caractères.'),
        ('6061-01', None, 'Le numéro ne contient que des chiffres et des lettres, sans espace ni signe.'),
        ('9000', None, 'Le numéro commence par le chiffre de sa classe, de 1 à 8.'),
        ('401EDF', None, 'Un compte général ne contient que des chiffres'),
        ('411DUPONT', '401', 'Un compte auxiliaire du collectif 401 commence par 401'),
        ('6061', None, 'Ce numéro est celui d’un compte du plan comptable général'),
        ('401', '401', 'Ce numéro est celui d’un compte du plan comptable général'),
        ('54000', None, 'Ce numéro ne prolonge aucun compte du plan comptable général'),
    ],
)
def test_a_wrong_number_says_what_is_wrong(
    admin: Actor, bakery: int, number: str, collective: str | None, message: str
):
    with pytest.raises(InvalidInput) as refused:
        chart.save_own_account(admin, bakery, number=number, label='Divers', collective=collective)
    assert refused.value.errors['number'].startswith(message)
    assert chart.list_own_accounts(admin, bakery) == []


def test_a_number_already_in_the_file_is_refused(admin: Actor, bakery: int) -> None:
    chart.save_own_account(admin, bakery, number='401EDF', label='EDF', collective='401')
    with pytest.raises(InvalidInput) as refused:
        chart.save_own_account(admin, bakery, number=' 401edf ', label='EDF bis', collective='401')
    assert refused.value.errors == {'number': 'Ce numéro de compte existe déjà dans le dossier.'}


def test_the_label_is_required_and_short(admin: Actor, bakery: int) -> None:
    with pytest.raises(InvalidInput) as empty:
        chart.save_own_account(admin, bakery, number='6061001', label='   ')
    with pytest.raises(InvalidInput) as long:
        chart.save_own_account(admin, bakery, number='6061001', label='x' * 121)
    with pytest.raises(InvalidInput) as collective:
        chart.save_own_account(admin, bakery, number='6061001', label='Eau', collective='512')
    assert empty.value.errors == {'label': 'Saisissez l’intitulé du compte.'}
    assert long.value.errors == {'label': 'L’intitulé compte 120 caractères au plus.'}
    assert collective.value.errors == {
        'collective': 'Choisissez 401 Fournisseurs, 411 Clients ou aucun compte collectif.'
    }


def allocate_first_entry(world: ventilation_world.VentilationWorld, account: str, label: str) -> None:
    """A line of the first November entry on ``account``, written as the ventilation screens would."""
    with db.session_scope() as session:
        entry = session.exec(
            select(Transaction).where(Transaction.account_id == world.account_id).order_by(Transaction.date)
        ).first()
        session.add(Allocation(transaction_id=entry.id, client_id=world.client_id))
        session.flush()
        session.add(
            AllocationLine(
                transaction_id=entry.id,
                position=1,
                account_number=account,
                account_label=label,
                label=entry.label,
                amount_cents=entry.amount_cents,
            )
        )


def test_an_account_that_lines_use_is_kept_and_keeps_its_number(admin: Actor, demo_data: None) -> None:
    world = ventilation_world.build()
    electricity = chart.save_own_account(admin, world.client_id, number='6061001', label='Électricité')
    allocate_first_entry(world, '6061001', 'Électricité')
    with pytest.raises(AccountInUse) as refused:
        chart.delete_own_account(admin, world.client_id, electricity.id)
    assert str(refused.value) == 'Ce compte est utilisé par des écritures : il ne peut pas être supprimé.'
    with pytest.raises(InvalidInput) as renumbered:
        chart.save_own_account(admin, world.client_id, number='6061002', label='Électricité', account_id=electricity.id)
    assert renumbered.value.errors == {'number': chart.IN_USE_CHANGE}
    renamed = chart.save_own_account(
        admin, world.client_id, number='6061001', label='Électricité EDF', account_id=electricity.id
    )
    assert chart.list_own_accounts(admin, world.client_id) == [renamed]


def test_an_unused_account_is_deleted_and_the_journal_says_who_did_it(admin: Actor, bakery: int) -> None:
    edf = chart.save_own_account(admin, bakery, number='401EDF', label='EDF', collective='401')
    chart.delete_own_account(admin, bakery, edf.id)
    assert chart.list_own_accounts(admin, bakery) == []
    with db.session_scope() as session:
        journal = events_for_firm(session, firm_id=admin.firm_id, limit=2)
    assert [(e.action, e.actor_email, e.target_type, e.detail) for e in journal] == [
        ('ventilation.account_deleted', admin.email, 'client', '401EDF — EDF'),
        ('ventilation.account_saved', admin.email, 'client', '401EDF — EDF (ajouté)'),
    ]


def test_an_account_of_another_file_cannot_be_deleted_from_this_one(admin: Actor, bakery: int) -> None:
    garage = file_id('Garage des Alpes')
    edf = chart.save_own_account(admin, garage, number='401EDF', label='EDF', collective='401')
    with pytest.raises(NotFound):
        chart.delete_own_account(admin, bakery, edf.id)
    assert numbers(chart.list_own_accounts(admin, garage)) == ['401EDF']
