"""« Ventilation » of AGA COMPTA (the demo's file with three months of entries and six rules)."""

from __future__ import annotations

from nicegui.testing import User
from sqlmodel import select

from components.entry_table import EntryTable
from services import db, demo_ventilation
from services.banking_models import BankAccount, Transaction
from services.models import Client
from services.ventilation_models import IGNORED

from .conftest import SLOW, sign_in


def aga() -> tuple[int, int]:
    """The demo file's id and its statements account's id."""
    with db.session_scope() as session:
        client = session.exec(select(Client).where(Client.legal_name == demo_ventilation.FILE)).one()
        account = session.exec(select(BankAccount).where(BankAccount.iban == demo_ventilation.IBAN)).one()
        return client.id, account.id


def pending_ids(user: User) -> list[int]:
    [table] = user.find(kind=EntryTable).elements
    return [row['id'] for row in table.rows]


async def open_ventilation(user: User, email: str = 'admin@cabinet-demo.fr', then: str = 'Bonjour Anne') -> int:
    await sign_in(user, email, then=then)
    client_id, _ = aga()
    await user.open(f'/dossiers/{client_id}/ventilation')
    await user.should_see('À ventiler', retries=SLOW)
    return client_id


async def test_rules_allocate_the_pending_entries_they_match(user: User) -> None:
    await open_ventilation(user)
    before = len(pending_ids(user))
    user.find(marker='ventilation-apply-rules').click()
    await user.should_see('écriture(s) ventilée(s) par les règles', retries=SLOW)
    after = len(pending_ids(user))
    assert 0 < after < before
    await user.should_see(f'Ventilée ({before - after})')


async def test_ignored_entries_leave_the_list_after_the_confirmation_lists_them(user: User) -> None:
    await open_ventilation(user)
    _, account_id = aga()
    with db.session_scope() as session:
        first = session.exec(
            select(Transaction).where(Transaction.account_id == account_id, Transaction.ventilation == 'pending')
            .order_by(Transaction.date)
        ).first()  # fmt: skip
    user.find(marker='ventilation-remove').click()
    await user.should_see('SUPPRESSION D’ÉCRITURES EN ATTENTE DE VENTILATION')
    day = first.date.strftime('%d/%m/%Y')
    user.find(marker='removal-start').type(day)
    user.find(marker='removal-end').type(day)
    await user.should_see(marker=f'removal-entry-{first.id}', retries=SLOW)
    user.find(marker='removal-ignore').click()
    user.find(marker='removal-go').click()
    await user.should_see('écriture(s) supprimée(s)', retries=SLOW)
    assert first.id not in pending_ids(user)
    with db.session_scope() as session:
        assert session.get(Transaction, first.id).ventilation == IGNORED


async def test_the_unassigned_collaborator_finds_no_such_file(user: User) -> None:
    await sign_in(user, 'claire.bernard@cabinet-demo.fr', then='Bonjour Claire')
    client_id, _ = aga()
    await user.open(f'/dossiers/{client_id}/ventilation')
    await user.should_see('Dossier introuvable.', retries=SLOW)


async def test_a_rule_is_created_from_the_rules_screen_and_listed_with_its_conditions(user: User) -> None:
    client_id = await open_ventilation(user)
    await user.open(f'/dossiers/{client_id}/ventilation/regles')
    await user.should_see('Cotisations des adhérents', retries=SLOW)
    user.find(marker='rule-new').click()
    await user.should_see('Nouvelle règle')
    user.find(marker='rule-name').type('Fournitures Staples')
    user.find(marker='rule-contains').type('STAPLES')
    [picker] = user.find(marker='rule-line-account-0').elements
    picker.set_options({'6064': '6064 — Fournitures administratives'}, value='6064')
    user.find(marker='rule-save').click()
    await user.should_see('Règle « Fournitures Staples » enregistrée.', retries=SLOW)
    await user.should_see('libellé contient « STAPLES »')
    await user.should_see('6064 (100 %)')


async def test_the_client_menu_leads_a_client_user_to_their_own_file(user: User) -> None:
    await sign_in(user, 'dirigeant@entreprise-fictive.fr', then='Entreprise')
    await user.open('/ventilation')
    await user.should_see(marker='ventilation-client', content='EntrepriseFictive SARL', retries=SLOW)
