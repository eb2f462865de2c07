"""A client user's rights on the accounts (IBANs) and contracts (connections) of their company's file.

Consultation sees accounts, transactions and statements; gestion connects, renews, forces syncs, uploads files and
prepares ventilation; validation validates professional accounts, signs mandates and validates ventilation (DESIGN.md).
Gestion and validation imply consultation: nobody manages what they cannot see. A right on a connection covers the
accounts it brings. A dirigeant holds every right on every resource of the file, present and future.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from services.banking_models import BankAccount, BankConnection
from services.errors import InvalidInput, NotFound
from services.models import User
from services.permissions import COMPTABLE, DIRIGEANT, PREPARATEUR, VALIDEUR, Actor
from services.user_models import UserRight

CONSULTATION, GESTION, VALIDATION = 'consultation', 'gestion', 'validation'
RIGHTS = (CONSULTATION, GESTION, VALIDATION)
RIGHT_LABELS = {CONSULTATION: 'Consultation', GESTION: 'Gestion', VALIDATION: 'Validation'}
# what each profile ticks, and whether the person granting may untick it case by case
PRESETS: dict[str, tuple[frozenset[str], bool]] = {
    DIRIGEANT: (frozenset(RIGHTS), False),
    COMPTABLE: (frozenset({CONSULTATION}), False),
    PREPARATEUR: (frozenset({CONSULTATION, GESTION}), True),
    VALIDEUR: (frozenset(RIGHTS), True),
}
PROFILE_LABELS = {
    DIRIGEANT: 'Profil dirigeant',
    COMPTABLE: 'Profil comptable',
    PREPARATEUR: 'Profil préparateur',
    VALIDEUR: 'Profil valideur',
}


@dataclass(frozen=True)
class Grant:
    """Rights on one resource: ``kind`` is 'account' or 'connection'."""

    kind: str
    resource_id: int
    consultation: bool = False
    gestion: bool = False
    validation: bool = False

    def normalized(self) -> Grant:
        see = self.consultation or self.gestion or self.validation
        return Grant(self.kind, self.resource_id, see, self.gestion, self.validation)

    def has(self, right: str) -> bool:
        return bool(getattr(self, right))

    @property
    def any(self) -> bool:
        return self.consultation or self.gestion or self.validation


@dataclass(frozen=True)
class Resource:
    """An account or a connection of a client file, as the rights screens list it."""

    kind: str
    id: int
    label: str
    detail: str


def resources(session: Session, client_id: int) -> list[Resource]:
    """The accounts (IBANs) and contracts (connections) of a file, the things rights are granted on."""
    accounts = session.exec(
        select(BankAccount).where(BankAccount.client_id == client_id).order_by(BankAccount.iban)
    ).all()
    connections = session.exec(
        select(BankConnection)
        .where(BankConnection.client_id == client_id, col(BankConnection.deleted_at).is_(None))
        .order_by(BankConnection.id)
    ).all()
    return [
        *(Resource('account', a.id, a.iban, a.name or 'Compte bancaire') for a in accounts),
        *(Resource('connection', c.id, f'Connexion {c.bank_name}', f'Contrat n° {c.id}') for c in connections),
    ]


def grants_of(session: Session, user_id: int) -> list[Grant]:
    rows = session.exec(select(UserRight).where(UserRight.user_id == user_id).order_by(UserRight.id)).all()
    return [
        Grant(
            'account' if row.account_id is not None else 'connection',
            row.account_id if row.account_id is not None else row.connection_id,
            row.consultation,
            row.gestion,
            row.validation,
        )
        for row in rows
    ]


def replace_grants(session: Session, *, user: User, grants: list[Grant]) -> list[Grant]:
    """The user's rights become ``grants`` (normalized, only resources of the user's file, empty ones dropped)."""
    known = {(r.kind, r.id) for r in resources(session, user.client_id)}
    kept: dict[tuple[str, int], Grant] = {}
    for grant in grants:
        if grant.kind not in ('account', 'connection') or (grant.kind, grant.resource_id) not in known:
            raise NotFound('Compte ou contrat')
        if grant.normalized().any:
            kept[(grant.kind, grant.resource_id)] = grant.normalized()
    for row in session.exec(select(UserRight).where(UserRight.user_id == user.id)).all():
        session.delete(row)
    session.flush()
    for grant in kept.values():
        session.add(
            UserRight(
                user_id=user.id,
                account_id=grant.resource_id if grant.kind == 'account' else None,
                connection_id=grant.resource_id if grant.kind == 'connection' else None,
                consultation=grant.consultation,
                gestion=grant.gestion,
                validation=grant.validation,
            )
        )
    return list(kept.values())


def narrowest_profile(grants: list[Grant]) -> str:
    """The profile that holds hand-picked rights: comptable, préparateur or valideur."""
    chosen = {right for grant in grants for right in RIGHTS if grant.normalized().has(right)}
    return VALIDEUR if VALIDATION in chosen else PREPARATEUR if GESTION in chosen else COMPTABLE


def check_profile_grants(profile: str, grants: list[Grant]) -> None:
    """A profile's grants stay within what it allows: comptable sees only, préparateur never validates."""
    if profile not in PRESETS:
        raise InvalidInput({'profile': 'Profil inconnu.'})
    allowed, _ = PRESETS[profile]
    for grant in grants:
        extra = [right for right in RIGHTS if grant.normalized().has(right) and right not in allowed]
        if extra:
            raise InvalidInput({'rights': f'Le {PROFILE_LABELS[profile].lower()} ne donne pas le droit de {extra[0]}.'})


def holds(
    session: Session,
    actor: Actor,
    right: str,
    *,
    account: BankAccount | None = None,
    connection: BankConnection | None = None,
) -> bool:
    """Whether a client user holds ``right`` on this account (directly or through its connection) or connection."""
    resource = account or connection
    if resource is None or actor.client_id is None or resource.client_id != actor.client_id:
        return False
    if actor.role == DIRIGEANT:
        return True
    conditions = []
    if account is not None:
        conditions.append(UserRight.account_id == account.id)
        if account.connection_id is not None:
            conditions.append(UserRight.connection_id == account.connection_id)
    if connection is not None:
        conditions.append(UserRight.connection_id == connection.id)
    rows = session.exec(select(UserRight).where(UserRight.user_id == actor.user_id, or_(*conditions))).all()
    return any(getattr(row, right) for row in rows)
