"""Demo data that testers script against (documented in the README). Seeding twice changes nothing."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlmodel import Session, select
from stdnum import luhn

from services import passwords
from services.banking_models import TreasuryAccount
from services.clock import now
from services.db import session_scope
from services.demo_people import PREPARER_EMAIL, seed_people
from services.formatting import PARIS
from services.health_models import MaintenanceWindow
from services.models import Client, ClientAssignment, Firm, User
from services.permissions import ADMIN, COLLABORATOR, DIRIGEANT, PREPARATEUR, SUPERVISOR
from services.text import search_key

PASSWORD = 'Demo-Relais-2026!'
TOTP_SECRET = 'RELAISDEMOTOTPSECRETKEY234567ABC'

DEMO_FIRM = ('Cabinet Démo', '41234567')
WITNESS_FIRM = ('Cabinet Témoin', '42345678')
FICTIVE = 'EntrepriseFictive SARL'
BANK_DEMO_FILES = ('AGA COMPTA', 'One Up')  # their connections are made by services.demo_banks

_NAMES = (
    'Boulangerie Dupont',
    'Garage des Alpes',
    'Menuiserie Lefèvre',
    'Pharmacie du Centre',
    'Transports Moreau',
    'AGA COMPTA',
    'One Up',
    'Plomberie Girard',
    'Cabinet Dentaire Roux',
    'Ferme du Bocage',
    'Atelier Céramique Blanc',
    'Traiteur Saveurs d’Anjou',
    'Électricité Fournier',
    'Coiffure Élégance',
    'Pressing Lavande',
    'Agence Immobilière Mercier',
    'Auto-École Lambert',
    'Fromagerie Bonnet',
    'Imprimerie Chevalier',
    'Restaurant La Table d’Émile',
    'Paysagiste Garnier',
    'Optique Faure',
    'Brasserie du Port',
    'Cave à Vins Rousseau',
    'Maçonnerie Perrin',
    'Fleuriste Les Pivoines',
    'Studio Photo Clément',
    'Informatique Gauthier',
    'Épicerie Fine Morel',
    'Taxi Vincent',
    'Chocolaterie Masson',
    'Charpente Henry',
    'Vétérinaires des Tilleuls',
    'Salon de Thé Nicolas',
    'Couverture Dumas',
    'Ambulances Marchand',
    'Camping Les Oliviers',
    'Serrurerie Lucas',
    'Crèche Les P’tits Loups',
)
_PEOPLE = (
    'Claire Dubois',
    'Thomas Laurent',
    'Julie Simon',
    'Nicolas Michel',
    'Camille Lefebvre',
    'Hugo Garcia',
    'Léa David',
    'Lucas Bertrand',
    'Chloé Robert',
    'Louis Richard',
    'Emma Dubois',
    'Gabriel Martinez',
)
_WITNESS_NAMES = ('Société Témoin Alpha', 'Témoin Bâtiment', 'Témoin Conseil', 'Témoin Négoce', 'Témoin Services')


def _siren(seed: int) -> str:
    base = f'{seed:08d}'
    return base + luhn.calc_check_digit(base)


def _firm(session: Session, name: str, base: str) -> Firm:
    siren = base + luhn.calc_check_digit(base)
    firm = session.exec(select(Firm).where(Firm.siren == siren)).first()
    if firm is None:
        firm = Firm(name=name, siren=siren)
        session.add(firm)
        session.flush()
    return firm


def _client(session: Session, firm: Firm, name: str, siren: str, **extra: str) -> Client:
    client = session.exec(select(Client).where(Client.firm_id == firm.id, Client.siren == siren)).first()
    if client is None:
        slug = ''.join(ch if ch.isalnum() else '-' for ch in search_key(name)).strip('-')
        fields = {
            'siret': siren + '0001' + luhn.calc_check_digit(siren + '0001'),
            'contact_email': f'contact@{slug[:40]}.fr',
            'contact_phone': '0102030405',
            **extra,
        }
        client = Client(firm_id=firm.id, legal_name=name, search_name=search_key(name), siren=siren, **fields)
        session.add(client)
        session.flush()
    return client


def _user(session: Session, email: str, first: str, last: str, role: str, password_hash: str, **scope: int) -> User:
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        user = User(
            email=email,
            first_name=first,
            last_name=last,
            role=role,
            password_hash=password_hash,
            totp_secret=TOTP_SECRET,
            totp_confirmed=True,
            must_change_password=False,
            **scope,
        )
        session.add(user)
        session.flush()
    return user


def _assign(session: Session, user: User, clients: list[Client]) -> None:
    for client in clients:
        if session.get(ClientAssignment, (client.id, user.id)) is None:
            session.add(ClientAssignment(client_id=client.id, user_id=user.id))


def _bank_ready(session: Session, client: Client) -> None:
    """Ready to connect banks: Bridge module on, two treasury accounts."""
    if session.exec(select(TreasuryAccount).where(TreasuryAccount.client_id == client.id)).first() is None:
        client.sync_enabled, client.sync_module = True, 'bridge'
        session.add(client)
        session.add_all(TreasuryAccount(client_id=client.id, number=n, label=f'Banque n°{n}') for n in (1, 2))


def _maintenance(session: Session, firm: Firm) -> None:
    """MEG Banque announces a night of maintenance in three days (the banner shows it)."""
    if session.exec(select(MaintenanceWindow).where(MaintenanceWindow.bank_name == 'MEG Banque')).first() is None:
        evening = (now().astimezone(PARIS) + timedelta(days=3)).replace(hour=22, minute=0, second=0, microsecond=0)
        start = evening.astimezone(UTC)
        session.add(
            MaintenanceWindow(
                firm_id=firm.id,
                bank_name='MEG Banque',
                starts_at=start,
                ends_at=start + timedelta(hours=8),
                kind='sync',
                message='MEG Banque met à jour ses serveurs : les synchronisations reprendront seules au matin.',
            )
        )


def seed() -> None:
    password_hash = passwords.hash_password(PASSWORD)
    with session_scope() as session:
        demo = _firm(session, *DEMO_FIRM)
        fictive = _client(
            session,
            demo,
            FICTIVE,
            _siren(51000000),
            representative='Jean-Michel Martin',
            contact_email='dirigeant@entreprise-fictive.fr',
            contact_phone='0612345678',
        )
        others = [
            _client(session, demo, name, _siren(51000001 + i), representative=_PEOPLE[i % len(_PEOPLE)])
            for i, name in enumerate(_NAMES)
        ]
        witness = _firm(session, *WITNESS_FIRM)
        for i, name in enumerate(_WITNESS_NAMES):
            _client(session, witness, name, _siren(61000000 + i))
        for client in [fictive, *(c for c in others if c.legal_name in BANK_DEMO_FILES)]:
            _bank_ready(session, client)
        _maintenance(session, demo)
        _user(session, 'admin@cabinet-demo.fr', 'Anne', 'Durand', ADMIN, password_hash, firm_id=demo.id)
        _user(session, 'superviseur@cabinet-demo.fr', 'Sophie', 'Leroy', SUPERVISOR, password_hash, firm_id=demo.id)
        collaborator = _user(
            session, 'collaborateur@cabinet-demo.fr', 'Paul', 'Petit', COLLABORATOR, password_hash, firm_id=demo.id
        )
        _assign(session, collaborator, [fictive, *others[:9]])
        second = _user(
            session, 'claire.bernard@cabinet-demo.fr', 'Claire', 'Bernard', COLLABORATOR, password_hash, firm_id=demo.id
        )
        _assign(session, second, others[9:14])
        _user(session, 'admin@cabinet-temoin.fr', 'Marc', 'Témoin', ADMIN, password_hash, firm_id=witness.id)
        _user(
            session,
            'dirigeant@entreprise-fictive.fr',
            'Jean-Michel',
            'Martin',
            DIRIGEANT,
            password_hash,
            client_id=fictive.id,
        )
        garage = next(c for c in others if c.legal_name == 'Garage des Alpes')
        _user(session, 'dirigeant@garage-des-alpes.fr', 'Luc', 'Fabre', DIRIGEANT, password_hash, client_id=garage.id)
        _user(
            session,
            PREPARER_EMAIL,
            'Thomas',
            'Lefèvre',
            PREPARATEUR,
            password_hash,
            client_id=fictive.id,
        )
        seed_people(session, fictive)
