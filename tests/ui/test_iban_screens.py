"""« IBAN », « Cabinet » (connectors) and « Relevés » through the simulated user."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlmodel import select

from services import connectors, mandates, statements
from services.banking_models import BankAccount
from services.clock import now
from services.db import session_scope
from services.formats import parse_file
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import AccountId, Entry, Statement
from services.models import Client
from tests.actors import sign_in as actor_of

from .conftest import SLOW, sign_in

IBAN = 'FR7630004008230001024567863'


def fictive() -> int:
    with session_scope() as session:
        return session.exec(select(Client).where(Client.legal_name == 'EntrepriseFictive SARL')).one().id


def yesterday_statement() -> bytes:
    day = now().date() - timedelta(days=1)
    entry = Entry(booking_date=day, amount=Decimal('-42.00'), label='PRLV SEPA EDF')
    return write_cfonb120(
        [
            Statement(
                'cfonb120',
                AccountId(iban=IBAN),
                'EUR',
                Decimal('100.00'),
                day - timedelta(days=1),
                Decimal('58.00'),
                day,
                [entry],
            )
        ]
    )


async def test_a_supervisor_adds_a_folder_connector_from_the_catalogue(user: User, tmp_path: Path) -> None:
    await sign_in(user, 'superviseur@cabinet-demo.fr', then='Bonjour Sophie')
    await user.open('/cabinet')
    user.find(kind=ui.button, content='Ajouter un connecteur').click()
    user.find(marker='connector-kind-quadra').click()
    await user.should_see('Nouveau connecteur : Cegid Quadra')
    user.find(kind=ui.input, content='Dossier de dépôt').type(str(tmp_path / 'quadra'))
    user.find(marker='connector-form-submit').click()
    await user.should_see('Connecteur « Cegid Quadra » ajouté.', retries=SLOW)
    await user.should_see('Dossier de dépôt · CFONB 120')
    assert (tmp_path / 'quadra').is_dir()


async def test_a_collaborator_picks_among_the_connectors_but_does_not_manage_them(user: User, tmp_path: Path) -> None:
    connectors.add_connector(actor_of('superviseur@cabinet-demo.fr'), kind='sage', folder=str(tmp_path / 'sage'))
    await sign_in(user, 'collaborateur@cabinet-demo.fr', then='Bonjour Paul')
    await user.open('/cabinet')
    await user.should_not_see('Ajouter un connecteur')
    account = mandates.add_iban(actor_of('admin@cabinet-demo.fr'), client_id=fictive(), value=IBAN)
    await user.open('/ibans')
    user.find(marker=f'iban-connector-pick-{account.id}').click()
    await user.should_see('Sage', retries=SLOW)


async def test_an_iban_is_added_with_its_bank_and_a_mandate_to_sign(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open('/ibans')
    user.find(kind=ui.button, content='Ajouter un IBAN').click()
    user.find(kind=ui.select, content='Dossier').elements.pop().set_value(fictive())
    user.find(kind=ui.input, content='IBAN').type('FR76 3000 4008 2300 0102 4567 863')
    await user.should_see('BNP PARIBAS · BIC BNPAFRPP', retries=SLOW)
    user.find(marker='iban-add-submit').click()
    await user.should_see('IBAN ajouté : son mandat est à faire signer au client.', retries=SLOW)
    await user.should_see('FR76 3000 4008 2300 0102 4567 863')
    await user.should_see('À signer')
    await user.should_see('Inactif')


async def test_a_mistyped_iban_is_refused_in_french(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open('/ibans')
    user.find(kind=ui.button, content='Ajouter un IBAN').click()
    user.find(kind=ui.input, content='IBAN').type('FR76 3000 4008 2300 0102 4567 864')
    await user.should_see('clé de contrôle incorrecte', retries=SLOW)


async def test_an_iban_is_attached_to_a_connector_from_the_list(user: User, tmp_path: Path) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    admin = actor_of('superviseur@cabinet-demo.fr')
    connector = connectors.add_connector(admin, kind='acd', folder=str(tmp_path / 'acd'))
    account = mandates.add_iban(admin, client_id=fictive(), value=IBAN)
    await user.open('/ibans')
    user.find(marker=f'iban-connector-pick-{account.id}').click()
    user.find(marker=f'iban-connector-pick-{account.id}-option-{connector.id}').click()
    await user.should_see('Connecteur associé à l’IBAN.', retries=SLOW)
    with session_scope() as session:
        assert session.get(BankAccount, account.id).connector_id == connector.id


async def test_the_global_file_is_downloaded_as_cfonb_120(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    statements.import_file(
        actor_of('superviseur@cabinet-demo.fr'), client_id=fictive(), data=yesterday_statement(), file_name='r.txt'
    )
    await user.open('/releves')
    await user.should_see('1 relevé(s)', retries=SLOW)
    user.find(kind=ui.button, content='Télécharger').click()
    response = await user.download.next(timeout=5)
    (statement,) = parse_file(response.content)
    assert (statement.iban, statement.closing_balance) == (IBAN, Decimal('58.00'))


async def test_the_diagnosis_says_what_is_missing_point_by_point(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    account = mandates.add_iban(actor_of('superviseur@cabinet-demo.fr'), client_id=fictive(), value=IBAN)
    await user.open(f'/ibans/{account.id}')
    user.find(kind=ui.expansion, content='Pourquoi mes relevés ne sont pas récupérés ?').elements.pop().open()
    await user.should_see('Le cabinet n’a aucun connecteur.', retries=SLOW)
    await user.should_see('Aucun connecteur pour cet IBAN.')
    await user.should_see('Mandat : à signer. IBAN inactif.')
    await user.should_not_see('Contacter le support')


async def test_a_statement_file_is_dropped_on_the_iban_page(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    account = mandates.add_iban(actor_of('superviseur@cabinet-demo.fr'), client_id=fictive(), value=IBAN)
    await user.open(f'/ibans/{account.id}')
    upload = user.find(kind=ui.upload).elements.pop()
    await upload.handle_uploads([SmallFileUpload('releve.txt', 'text/plain', yesterday_statement())])
    await user.should_see('1 relevé(s) importé(s), 1 nouvelle(s) opération(s) sur 1 IBAN.', retries=SLOW)
    await user.should_see('58,00\u00a0€')


async def test_a_statement_of_another_iban_is_refused_and_nothing_is_imported(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    account = mandates.add_iban(
        actor_of('superviseur@cabinet-demo.fr'), client_id=fictive(), value='FR7615589000009876543210088'
    )
    await user.open(f'/ibans/{account.id}')
    upload = user.find(kind=ui.upload).elements.pop()
    await upload.handle_uploads([SmallFileUpload('releve.txt', 'text/plain', yesterday_statement())])
    await user.should_see(f'Ce fichier contient un relevé de l’IBAN {IBAN}', retries=SLOW)
    await user.should_see('Aucun relevé pour cet IBAN pour le moment.')
