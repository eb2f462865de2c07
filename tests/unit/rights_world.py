"""The world of the rights matrix: two firms, three client files, accounts and connections with and without rights,
and one person of every role and profile. Built once; each case of the matrix runs on its own copy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from schwifty import IBAN
from sqlmodel import select

from services import demo, mandates
from services.banking_models import BankAccount, BankConnection
from services.clock import now
from services.db import session_scope
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import AccountId, Entry, Statement
from services.models import Client, ClientAssignment, Firm, User
from services.permissions import COMPTABLE, PREPARATEUR, VALIDEUR, Actor
from services.rights import CONSULTATION, GESTION, RIGHTS, VALIDATION, Grant, replace_grants
from services.user_models import RegisteredPerson

FIRM_STAFF = {
    'administrateur': 'admin@cabinet-demo.fr',
    'superviseur': 'superviseur@cabinet-demo.fr',
    'collaborateur affecté': 'collaborateur@cabinet-demo.fr',
    'collaboratrice non affectée': 'claire.bernard@cabinet-demo.fr',
    'administrateur d’un autre cabinet': 'admin@cabinet-temoin.fr',
}
CLIENT_USERS = {
    'dirigeant': 'dirigeant@entreprise-fictive.fr',
    'comptable': 'comptable@entreprise-fictive.fr',
    'préparateur': 'preparateur@entreprise-fictive.fr',
    'valideur': 'valideur@entreprise-fictive.fr',
    'dirigeant d’un autre client': 'dirigeant@garage-des-alpes.fr',
}
# what each hand-made profile holds, by resource name: 'compte accordé' directly, 'contrat' (a connection) covering
# 'compte du contrat'; nothing on 'compte non accordé'
GRANTS = {
    'comptable': {'compte accordé': {CONSULTATION}, 'contrat': {CONSULTATION}},
    'préparateur': {'compte accordé': {CONSULTATION, GESTION}, 'contrat': {CONSULTATION, GESTION}},
    'valideur': {'compte accordé': set(RIGHTS), 'contrat': {CONSULTATION, VALIDATION}},
}
PROFILES = {'comptable': COMPTABLE, 'préparateur': PREPARATEUR, 'valideur': VALIDEUR}
# account name → (file, connection name or None)
ACCOUNTS = {
    'compte accordé': ('fictive', None),
    'compte non accordé': ('fictive', None),
    'compte du contrat': ('fictive', 'contrat'),
    'compte d’un autre client': ('garage', 'contrat d’un autre client'),
    'compte d’un autre cabinet': ('témoin', 'contrat d’un autre cabinet'),
}
CONNECTIONS = {'contrat': 'fictive', 'contrat d’un autre client': 'garage', 'contrat d’un autre cabinet': 'témoin'}
FILES = {'fictive': demo.FICTIVE, 'garage': 'Garage des Alpes', 'témoin': 'Société Témoin Alpha'}
MISSING_ID = 987_654


@dataclass
class World:
    actors: dict[str, Actor] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)
    ibans: dict[str, str] = field(default_factory=dict)
    connections: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    persons: dict[str, int] = field(default_factory=dict)  # one registered person (not a user) per file
    assigned: dict[str, set[str]] = field(default_factory=dict)  # staff name → files they see
    firm_of_file: dict[str, str] = field(default_factory=dict)
    staff_target: int = 0  # a staff member of the demo firm whose role may be changed
    entries: dict[str, int] = field(default_factory=dict)  # account name → one entry waiting for ventilation


def statement_file(iban: str) -> bytes:
    day = now().date() - timedelta(days=1)
    entry = Entry(booking_date=day, amount=Decimal('-12.00'), label='CB BOULANGERIE')
    statement = Statement(
        'cfonb120', AccountId(iban=iban), 'EUR', Decimal('50.00'), day, Decimal('38.00'), day, [entry]
    )
    return write_cfonb120([statement])


def _client_user(session, email: str, profile: str, client_id: int) -> User:
    user = User(
        email=email,
        first_name=profile.capitalize(),
        last_name='Test',
        role=profile,
        client_id=client_id,
        password_hash='x',
        totp_secret=demo.TOTP_SECRET,
        totp_confirmed=True,
        must_change_password=False,
    )
    session.add(user)
    session.flush()
    return user


def _files(session, world: World) -> None:
    for key, name in FILES.items():
        client = session.exec(select(Client).where(Client.legal_name == name)).one()
        world.files[key] = client.id
        world.firm_of_file[key] = 'demo' if session.get(Firm, client.firm_id).name == demo.DEMO_FIRM[0] else 'témoin'
        person = RegisteredPerson(
            client_id=client.id, last_name='Nouveau', first_name=key, birth_date=date(1990, 1, 1), phone='0611223344'
        )
        session.add(person)
        session.flush()
        world.persons[key] = person.id


def _resources(world: World, admins: dict[str, Actor]) -> None:
    with session_scope() as session:
        for name, file_key in CONNECTIONS.items():
            client = session.get(Client, world.files[file_key])
            connection = BankConnection(
                client_id=client.id, firm_id=client.firm_id, provider='bridge', provider_item_id='1', bank_name='Banque'
            )
            session.add(connection)
            session.flush()
            world.connections[name] = connection.id
    for number, (name, (file_key, connection)) in enumerate(ACCOUNTS.items()):
        iban = IBAN.generate('FR', bank_code='3000400823', account_code=f'000102456{number:02d}').compact
        owner = admins['témoin' if world.firm_of_file[file_key] == 'témoin' else 'demo']
        account = mandates.add_iban(owner, client_id=world.files[file_key], value=iban)  # a mandate « à signer »
        world.accounts[name], world.ibans[name] = account.id, iban
        if connection:
            with session_scope() as session:
                session.get(BankAccount, account.id).connection_id = world.connections[connection]


def build() -> World:
    """On a configured database with the demo seeded."""
    world = World()
    with session_scope() as session:
        _files(session, world)
        fictive = world.files['fictive']
        for name, profile in PROFILES.items():
            _client_user(session, CLIENT_USERS[name], profile, fictive)
    with session_scope() as session:
        for name, email in {**FIRM_STAFF, **CLIENT_USERS}.items():
            world.actors[name] = Actor.of(session.exec(select(User).where(User.email == email)).one())
        for name in FIRM_STAFF:
            actor = world.actors[name]
            seen = [k for k, v in world.files.items() if session.get(Client, v).firm_id == actor.firm_id]
            if not actor.sees_all_clients:
                seen = [k for k in seen if session.get(ClientAssignment, (world.files[k], actor.user_id))]
            world.assigned[name] = set(seen)
        world.staff_target = world.actors['collaboratrice non affectée'].user_id
    admins = {'demo': world.actors['administrateur'], 'témoin': world.actors['administrateur d’un autre cabinet']}
    _resources(world, admins)
    with session_scope() as session:
        for name, held in GRANTS.items():
            user = session.get(User, world.actors[name].user_id)
            grants = []
            for resource, rights in held.items():
                kind = 'connection' if resource in CONNECTIONS else 'account'
                target = world.connections[resource] if kind == 'connection' else world.accounts[resource]
                grants.append(Grant(kind, target, *(right in rights for right in RIGHTS)))
            replace_grants(session, user=user, grants=grants)
    return world
