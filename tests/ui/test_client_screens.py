"""« Dossiers », a file's page, and « Cabinet » with strong authentication."""

from nicegui import ui
from nicegui.testing import User

from components.server_table import ServerTable

from .conftest import SLOW, code, field, sign_in


def shown_names(user: User) -> list[str]:
    table = user.find(kind=ServerTable).elements.pop()
    return [row['legal_name'] for row in table.rows]


async def test_searching_narrows_the_list(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open('/dossiers')
    assert shown_names(user)[0] == 'AGA COMPTA'
    user.find(kind=ui.input, content='Rechercher').type('boulangerie')
    assert shown_names(user) == ['Boulangerie Dupont']


async def test_creating_a_file_with_a_wrong_siren_says_what_is_wrong(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open('/dossiers')
    user.find(kind=ui.button, content='Nouveau dossier').click()
    field(user, 'Raison sociale').value = 'Menuiserie Neuve'
    field(user, 'SIREN').value = '732829321'
    user.find(kind=ui.button, content='Créer le dossier').click()
    await user.should_see('Vérifiez les champs signalés.', retries=SLOW)
    siren = field(user, 'SIREN')
    assert siren.error == "Ce SIREN n'est pas valide (clé de contrôle incorrecte)."
    siren.value = '732829320'
    user.find(kind=ui.button, content='Créer le dossier').click()
    await user.should_see('Dossier « Menuiserie Neuve » créé.', retries=SLOW)


async def test_another_firms_file_is_not_found(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open('/dossiers/41')  # the first file of Cabinet Témoin
    await user.should_see('Dossier introuvable.', retries=SLOW)


async def test_renaming_the_firm_needs_a_fresh_code(user: User) -> None:
    used_at_sign_in = await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open('/cabinet')
    field(user, 'Nom du cabinet').value = 'Cabinet Démo et Associés'
    user.find(kind=ui.button, content='Enregistrer').click()
    await user.should_see('Authentification forte', retries=SLOW)
    user.find(kind=ui.input, content="Code d'authentification forte").type(used_at_sign_in)
    user.find(kind=ui.button, content='Valider').click()
    await user.should_see('incorrect ou déjà utilisé', retries=SLOW)
    user.find(kind=ui.input, content="Code d'authentification forte").type(code(steps_ahead=1))
    user.find(kind=ui.button, content='Valider').click()
    await user.should_see('Cabinet enregistré.', retries=SLOW)
    await user.should_see('Cabinet Démo et Associés', retries=SLOW)
