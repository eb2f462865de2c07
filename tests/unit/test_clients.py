"""Client files: each role sees its own, searched and paged on the server; another firm's are « introuvables »."""

import pytest

from services import clients
from services.clients import ClientInput
from services.errors import Forbidden, InvalidInput, NotFound
from services.permissions import Actor
from tests.actors import sign_in

GOOD = ClientInput(
    legal_name='Nouvelle Société',
    siren='732 829 320',
    siret='73282932000074',
    contact_email='Contact@Nouvelle.fr',
    contact_phone='06 11 22 33 44',
)


def test_an_administrateur_sees_every_file_of_the_firm(admin: Actor) -> None:
    assert clients.list_clients(admin).total == 40


def test_a_collaborateur_sees_only_the_files_assigned_to_them(collaborator: Actor) -> None:
    page = clients.list_clients(collaborator, per_page=100)
    assert page.total == 10
    assert 'EntrepriseFictive SARL' in {client.legal_name for client in page.rows}


def test_a_page_holds_no_more_rows_than_asked(admin: Actor) -> None:
    pages = [clients.list_clients(admin, page=number, per_page=15) for number in (1, 2, 3)]
    assert [len(page.rows) for page in pages] == [15, 15, 10]
    assert len({client.id for page in pages for client in page.rows}) == 40


def test_search_ignores_case_and_accents(admin: Actor) -> None:
    assert [c.legal_name for c in clients.list_clients(admin, search='AUTO-ECOLE').rows] == ['Auto-École Lambert']


def test_search_finds_a_siren_by_its_first_digits(admin: Actor) -> None:
    assert clients.list_clients(admin, search='510 0001').total == 10


def test_sorting_by_name_descending(admin: Actor) -> None:
    names = [c.legal_name for c in clients.list_clients(admin, sort='legal_name', descending=True, per_page=3).rows]
    assert names == ['Vétérinaires des Tilleuls', 'Transports Moreau', 'Traiteur Saveurs d’Anjou']


def test_creating_a_file_cleans_and_checks_its_fields(admin: Actor) -> None:
    client = clients.create_client(admin, GOOD)
    assert (client.siren, client.contact_email, client.contact_phone) == (
        '732829320',
        'contact@nouvelle.fr',
        '0611223344',
    )


def test_a_name_pasted_with_line_breaks_is_kept_on_one_line(admin: Actor) -> None:
    client = clients.create_client(admin, ClientInput(legal_name=' Garage\r\nBcc: x@y.fr\tSARL ', siren='732829320'))
    assert client.legal_name == 'Garage Bcc: x@y.fr SARL'


def test_a_wrong_siren_is_refused_with_a_french_message(admin: Actor) -> None:
    with pytest.raises(InvalidInput) as problem:
        clients.create_client(admin, ClientInput(legal_name='X', siren='732829321', contact_email='pas-un-mail'))
    assert problem.value.errors == {
        'siren': "Ce SIREN n'est pas valide (clé de contrôle incorrecte).",
        'contact_email': "Cette adresse e-mail n'est pas valide.",
    }


def test_a_siret_must_belong_to_the_siren(admin: Actor) -> None:
    with pytest.raises(InvalidInput, match='doit commencer par le SIREN'):
        clients.create_client(admin, ClientInput(legal_name='X', siren='732829320', siret='55208131766522'))


def test_two_files_cannot_share_a_siren_in_a_firm(admin: Actor, witness_admin: Actor) -> None:
    clients.create_client(admin, GOOD)
    with pytest.raises(InvalidInput, match='existe déjà'):
        clients.create_client(admin, GOOD)
    assert clients.create_client(witness_admin, GOOD).firm_id == witness_admin.firm_id


def test_a_collaborateur_keeps_the_files_they_create(collaborator: Actor) -> None:
    client = clients.create_client(collaborator, GOOD)
    assert clients.get_client(collaborator, client.id).legal_name == 'Nouvelle Société'


def test_another_firms_file_is_not_found(admin: Actor, witness_admin: Actor) -> None:
    other = clients.list_clients(witness_admin).rows[0]
    with pytest.raises(NotFound, match='Dossier introuvable'):
        clients.get_client(admin, other.id)
    with pytest.raises(NotFound):
        clients.update_client(admin, other.id, GOOD)


def test_a_file_not_assigned_is_not_found_for_a_collaborateur(admin: Actor, collaborator: Actor) -> None:
    mine = {c.id for c in clients.list_clients(collaborator, per_page=100).rows}
    other = next(c for c in clients.list_clients(admin, per_page=100).rows if c.id not in mine)
    with pytest.raises(NotFound):
        clients.get_client(collaborator, other.id)


def test_editing_a_file_keeps_it_searchable(admin: Actor) -> None:
    target = clients.list_clients(admin, search='Boulangerie').rows[0]
    clients.update_client(admin, target.id, ClientInput(legal_name='Boulangerie Dupont & Fils', siren=target.siren))
    assert clients.list_clients(admin, search='dupont & fils').total == 1


def test_only_an_administrateur_assigns_collaborators(admin: Actor, collaborator: Actor) -> None:
    target = clients.list_clients(admin, search='Taxi').rows[0]
    clients.assign_collaborators(admin, target.id, [collaborator.user_id])
    assert [p.email for p in clients.assigned_collaborators(admin, target.id)] == ['collaborateur@cabinet-demo.fr']
    assert clients.list_clients(collaborator).total == 11
    with pytest.raises(Forbidden):
        clients.assign_collaborators(collaborator, target.id, [])


def test_a_collaborator_of_another_firm_cannot_be_assigned(admin: Actor, witness_admin: Actor) -> None:
    target = clients.list_clients(admin).rows[0]
    with pytest.raises(NotFound):
        clients.assign_collaborators(admin, target.id, [witness_admin.user_id])


def test_a_client_user_reaches_only_their_company(demo_data: None) -> None:
    dirigeant = sign_in('dirigeant@entreprise-fictive.fr')
    assert clients.own_company(dirigeant).legal_name == 'EntrepriseFictive SARL'
    with pytest.raises(Forbidden):
        clients.list_clients(dirigeant)
