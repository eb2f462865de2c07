"""« Plan comptable » of a client file, and the account picker the other ventilation screens use."""

from nicegui import ui
from nicegui.testing import User

from components.account_picker import account_picker
from services import chart

from .conftest import SLOW, sign_in

GARAGE = 2  # « Garage des Alpes », a file of Cabinet Démo
PAGE = f'/dossiers/{GARAGE}/ventilation/comptes'


async def test_an_admin_adds_a_supplier_account_and_finds_it_by_its_name(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open(PAGE)
    await user.should_see('Aucun compte propre au dossier pour le moment.', retries=SLOW)
    user.find(marker='account-number').type('401edf')
    user.find(marker='account-label').type('EDF')
    user.find(marker='account-collective').elements.pop().set_value('401')
    user.find(marker='account-add').click()
    await user.should_see(marker='own-account-collective-401EDF', content='401 Fournisseurs', retries=SLOW)
    await user.should_see(marker='own-account-label-401EDF', content='EDF')
    user.find(marker='chart-search').type('edf')
    await user.should_not_see(marker='chart-result-6061')  # the first page of the chart made way for the results
    await user.should_see(marker='chart-result-401EDF')
    await user.should_see('Compte du dossier')


async def test_a_number_of_the_standard_chart_is_refused_with_the_reason(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open(PAGE)
    user.find(marker='account-number').type('6061')
    user.find(marker='account-label').type('Eau')
    user.find(marker='account-add').click()
    await user.should_see('Ce numéro est celui d’un compte du plan comptable général', retries=SLOW)
    await user.should_see('Aucun compte propre au dossier pour le moment.')


async def test_an_own_account_is_renamed_then_deleted(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.open(PAGE)
    user.find(marker='account-number').type('6061001')
    user.find(marker='account-label').type('Eau du garage')
    user.find(marker='account-add').click()
    await user.should_see(marker='own-account-label-6061001', content='Eau du garage', retries=SLOW)
    user.find(marker='account-edit-6061001').click()
    await user.should_see('Modifier le compte 6061001')
    user.find(marker='account-edit-label').elements.pop().set_value('Eau et assainissement')
    user.find(marker='account-edit-save').click()
    await user.should_see('Compte 6061001 enregistré.', retries=SLOW)
    await user.should_see(marker='own-account-label-6061001', content='Eau et assainissement')
    user.find(marker='account-delete-6061001').click()
    await user.should_see('Supprimer le compte « 6061001 — Eau et assainissement » du dossier ?')
    user.find(marker='account-delete-confirm-ok').click()
    await user.should_see('Compte 6061001 supprimé.', retries=SLOW)
    await user.should_see('Aucun compte propre au dossier pour le moment.')


async def test_the_account_picker_offers_what_matches_the_typed_words(user: User) -> None:
    @ui.page('/essai/choix-de-compte')
    def picker_page() -> None:
        shown = ui.label()
        account_picker(
            lambda text: [(c.number, c.label) for c in chart.search_standard(text)],
            testid='picker',
            on_change=lambda number: shown.set_text(f'Compte choisi : {number}'),
        )

    await user.open('/essai/choix-de-compte')
    picker = user.find(marker='picker')
    picker.trigger('filter', 'energie')  # what QSelect sends once the user stops typing « energie »
    picker.click()
    water = '6061 — Fournitures non stockables (eau, énergie, etc.)'
    await user.should_see(water)
    user.find(water).click()
    await user.should_see('Compte choisi : 6061')
