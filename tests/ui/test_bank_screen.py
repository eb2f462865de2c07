"""« Gestion des comptes bancaires » without a bank yet: activation, treasury accounts, guard rails."""

from nicegui import ui
from nicegui.testing import User

from .conftest import SLOW, sign_in

GARAGE = 2  # « Garage des Alpes », the second demo file of Cabinet Démo


async def test_activating_the_synchronisation_of_a_file(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open(f'/dossiers/{GARAGE}/comptes-bancaires')
    await user.should_see('Aucune connexion bancaire pour le moment.', retries=SLOW)
    user.find(kind=ui.checkbox, content='Activation du système de synchronisation').click()
    user.find(kind=ui.button, content='ENREGISTRER').click()
    await user.should_see('Synchronisation activée.', retries=SLOW)


async def test_adding_a_connection_needs_the_activation_first(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open(f'/dossiers/{GARAGE}/comptes-bancaires')
    user.find(kind=ui.button, content='AJOUTER UNE CONNEXION').click()
    await user.should_see('Ajouter une connexion bancaire', retries=SLOW)
    user.find(marker='connection-add-confirm-ok').click()
    await user.should_see('Activez d’abord le système de synchronisation de ce dossier.', retries=SLOW)


async def test_adding_treasury_accounts(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open(f'/dossiers/{GARAGE}/comptes-bancaires')
    user.find(kind=ui.button, content='Compte de trésorerie').click()
    await user.should_see('« Banque n°1 » ajouté.', retries=SLOW)


async def test_a_file_of_another_firm_has_no_bank_screen(user: User) -> None:
    await sign_in(user, 'admin@cabinet-temoin.fr', then='Bonjour Marc')
    await user.open(f'/dossiers/{GARAGE}/comptes-bancaires')
    await user.should_see('Dossier introuvable.', retries=SLOW)
