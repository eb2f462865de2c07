"""« Journal d'audit »: the Administrateur reads, filters and exports the firm's journal; a Collaborateur cannot."""

from __future__ import annotations

import csv
import io

from nicegui import ui
from nicegui.testing import User

from tests.ui.conftest import SLOW, sign_in

READ_ONLY = 'Ce journal ne peut être ni modifié ni effacé.'


async def open_journal(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.should_see(kind=ui.item_section, content='Journal d’audit', retries=SLOW)
    await user.open('/journal')
    await user.should_see(READ_ONLY, retries=SLOW)


async def test_the_administrator_reads_the_journal_and_filters_it(user: User) -> None:
    await open_journal(user)
    await user.should_see('admin@cabinet-demo.fr', retries=SLOW)
    await user.should_see('Connexion', retries=SLOW)

    user.find(marker='audit-filter-family').click()
    user.find('Utilisateurs et droits').click()
    await user.should_see('Aucun événement pour ces filtres.', retries=SLOW)
    user.find(marker='audit-filter-family').click()
    user.find('Connexions').click()
    await user.should_see('admin@cabinet-demo.fr', retries=SLOW)

    user.find(marker='audit-filter-user').type('collaborateur')
    await user.should_see('Aucun événement pour ces filtres.', retries=SLOW)
    user.find(marker='audit-filter-user').clear()
    await user.should_see('1 événement(s)', retries=SLOW)


async def test_days_are_typed_in_french_and_a_backwards_range_is_explained(user: User) -> None:
    await open_journal(user)
    user.find(marker='audit-filter-start').type('01/01/2020')
    user.find(marker='audit-filter-end').type('31/12/2020')
    await user.should_see('Aucun événement pour ces filtres.', retries=SLOW)
    user.find(marker='audit-filter-start').clear().type('2021')  # half typed: the field says what it expects
    await user.should_see('Aucun événement pour ces filtres.', retries=SLOW)
    user.find(marker='audit-filter-start').type('-01-01')
    await user.should_see('La date « au » doit être postérieure ou égale à la date « du ».', retries=SLOW)


async def test_the_export_is_a_csv_for_french_excel(user: User) -> None:
    await open_journal(user)
    user.find(marker='audit-export').click()
    response = await user.download.next(timeout=5)
    assert response.content.startswith(b'\xef\xbb\xbf')
    lines = list(csv.reader(io.StringIO(response.content.decode('utf-8-sig')), delimiter=';'))
    assert lines[0] == ['Date', 'Heure', 'Utilisateur', 'Action', 'Cible', 'Adresse IP', 'Détail']
    assert ['admin@cabinet-demo.fr', 'Connexion'] in [line[2:4] for line in lines[1:]]


async def test_a_collaborateur_has_no_journal(user: User) -> None:
    await sign_in(user, 'collaborateur@cabinet-demo.fr', then='Bonjour Paul')
    await user.should_see(kind=ui.item_section, content='Dossiers', retries=SLOW)
    await user.should_not_see(kind=ui.item_section, content='Journal d’audit')
    await user.open('/journal')
    await user.should_see('Bonjour Paul', retries=SLOW)  # sent back to their home page
    await user.should_not_see(READ_ONLY)
