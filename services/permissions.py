"""Who may do what: one table (role × action), checked by every service call.

Firm roles act on their firm (a Collaborateur only on the client files assigned to them); client
users act on their own company's file. Actions on one account or connection also need, for a client user, a
per-account right (consultation / gestion / validation): services.access completes this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.errors import Forbidden

if TYPE_CHECKING:
    from services.models import User

ADMIN = 'administrateur'
SUPERVISOR = 'superviseur'
COLLABORATOR = 'collaborateur'
FIRM_ROLES = (ADMIN, SUPERVISOR, COLLABORATOR)

DIRIGEANT = 'dirigeant'
COMPTABLE = 'comptable'
PREPARATEUR = 'preparateur'
VALIDEUR = 'valideur'
CLIENT_PROFILES = (DIRIGEANT, COMPTABLE, PREPARATEUR, VALIDEUR)

ROLE_LABELS = {
    ADMIN: 'Administrateur',
    SUPERVISOR: 'Superviseur',
    COLLABORATOR: 'Collaborateur',
    DIRIGEANT: 'Dirigeant',
    COMPTABLE: 'Comptable',
    PREPARATEUR: 'Préparateur',
    VALIDEUR: 'Valideur',
}

_FIRM_STAFF = frozenset(FIRM_ROLES)
_CLIENT_USERS = frozenset(CLIENT_PROFILES)

PERMISSIONS: dict[str, frozenset[str]] = {
    'dashboard.view': _FIRM_STAFF,
    'client.list': _FIRM_STAFF,
    'client.view': _FIRM_STAFF,
    'client.create': frozenset({ADMIN, SUPERVISOR, COLLABORATOR}),
    'client.edit': _FIRM_STAFF,
    'client.assign': frozenset({ADMIN}),
    'firm.view': _FIRM_STAFF,
    'firm.edit': frozenset({ADMIN}),
    'company.view': _CLIENT_USERS,
    'audit.view': frozenset({ADMIN}),
    'bank.view': _FIRM_STAFF,
    'bank.manage': _FIRM_STAFF,
    'health.view': _FIRM_STAFF,
    'health.act': _FIRM_STAFF,
    'maintenance.manage': frozenset({ADMIN}),
    'outbox.view': frozenset({ADMIN}),
    'connector.view': _FIRM_STAFF,
    'connector.manage': frozenset({ADMIN, SUPERVISOR}),
    'iban.view': _FIRM_STAFF,
    'iban.attach': _FIRM_STAFF,  # every profile attaches an IBAN, only to a connector the firm has
    'statement.view': _FIRM_STAFF,
    'users.manage': frozenset({ADMIN}),  # and a file's dirigeant, for that file only (services.persons.file_of)
    'staff.manage': frozenset({ADMIN}),
    'users.view': frozenset({ADMIN, DIRIGEANT}),
    'person.register': _FIRM_STAFF,
    # on one account or connection: client users also need the right of services.access.RESOURCE_RIGHTS on it
    'account.view': _FIRM_STAFF | _CLIENT_USERS,
    'account.statements': _FIRM_STAFF | _CLIENT_USERS,
    'account.upload': _FIRM_STAFF | _CLIENT_USERS,
    'connection.view': _FIRM_STAFF | _CLIENT_USERS,
    'connection.sync': _FIRM_STAFF | _CLIENT_USERS,
    'connection.renew': _FIRM_STAFF | _CLIENT_USERS,
    'mandate.sign': _CLIENT_USERS,  # the company signs its own mandates, never the firm
    'connection.validate_pro': _CLIENT_USERS,  # the company certifies its professional accounts
    # ventilation: entries of an account need, for a client user, the account right of RESOURCE_RIGHTS too
    'ventilation.view': _FIRM_STAFF | _CLIENT_USERS,
    'ventilation.prepare': _FIRM_STAFF | _CLIENT_USERS,
    'ventilation.validate': _FIRM_STAFF | _CLIENT_USERS,
    # the file's rules and own accounts serve every account of the file: whoever prepares entries
    'ventilation.rules': _FIRM_STAFF | frozenset({DIRIGEANT, PREPARATEUR, VALIDEUR}),
    'ventilation.export': _FIRM_STAFF | frozenset({DIRIGEANT}),  # the whole file's books
}


@dataclass(frozen=True)
class Actor:
    """The signed-in user on whose behalf a service acts."""

    user_id: int
    email: str
    display_name: str
    role: str
    firm_id: int | None
    client_id: int | None
    session_id: str | None = None
    ip: str | None = None

    @classmethod
    def of(cls, user: User, *, session_id: str | None = None, ip: str | None = None) -> Actor:
        return cls(
            user_id=user.id,
            email=user.email,
            display_name=f'{user.first_name} {user.last_name}',
            role=user.role,
            firm_id=user.firm_id,
            client_id=user.client_id,
            session_id=session_id,
            ip=ip,
        )

    @property
    def is_firm_staff(self) -> bool:
        return self.role in _FIRM_STAFF and self.firm_id is not None

    @property
    def sees_all_clients(self) -> bool:
        return self.role in {ADMIN, SUPERVISOR}

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def can(actor: Actor, action: str) -> bool:
    return actor.role in PERMISSIONS.get(action, frozenset())


def require(actor: Actor, action: str) -> None:
    if not can(actor, action):
        raise Forbidden()
