"""« Gestion des utilisateurs »: a dirigeant makes a registered person a user, with a profile and strong auth."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from tests.ui.conftest import SLOW, code, sign_in


async def add_lucie_as_comptable(user: User) -> None:
    await sign_in(user, 'dirigeant@entreprise-fictive.fr', then='Mon entreprise')
    await user.open('/utilisateurs')
    await user.should_see('Utilisateurs du dossier', retries=SLOW)
    user.find(kind=ui.button, content='Ajouter un utilisateur').click()
    await user.should_see(marker='person-select', retries=SLOW)
    user.find(marker='person-select').click()
    user.find('Lucie Garnier').click()
    await user.should_see('Date de naissance : 03/09/1985', retries=SLOW)
    user.find(marker='person-checked').click()
    user.find(marker='person-email').type('lucie.garnier@entreprise-fictive.fr')
    user.find(marker='wizard-next-person').click()
    user.find(marker='profile-comptable').click()
    await user.should_see(marker='profile-chosen', retries=SLOW)
    user.find(marker='wizard-next-rights').click()
    await user.should_see('lucie.garnier@entreprise-fictive.fr', retries=SLOW)
    user.find(marker='wizard-confirm').click()
    await user.should_see('Authentification forte', retries=SLOW)


async def test_a_dirigeant_adds_a_user_with_the_comptable_profile(user: User) -> None:
    await add_lucie_as_comptable(user)
    user.find(kind=ui.input, content="Code d'authentification forte").type(code(steps_ahead=1))
    user.find(kind=ui.button, content='Valider').click()
    await user.should_see('Parfait ! Votre nouvel utilisateur est déjà opérationnel.', retries=SLOW)


async def test_a_wrong_code_adds_nobody_and_says_so(user: User) -> None:
    await add_lucie_as_comptable(user)
    user.find(kind=ui.input, content="Code d'authentification forte").type('000000')
    user.find(kind=ui.button, content='Valider').click()
    await user.should_see('incorrect ou déjà utilisé', retries=SLOW)


async def test_the_administrator_sees_the_firm_staff(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open('/utilisateurs')
    await user.should_see('Équipe du cabinet', retries=SLOW)
    await user.should_see('Sophie Leroy', retries=SLOW)
