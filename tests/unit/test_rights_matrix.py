"""The whole rights matrix, generated: every service action × every firm role and client profile × own and other
firm, own and other client, granted and not granted account, and an id that does not exist (a guessed URL).

The expected answer comes from DESIGN.md's rules written here once (the oracle), not from the services' code: firm
staff reach the files they see (a Collaborateur: the files assigned to them); a client user reaches the accounts of
their company on which they hold the action's right (a dirigeant holds them all; a right on a contract covers its
accounts). Each case runs on its own copy of the world, so an allowed change never leaks into the next case.
"""

from __future__ import annotations

import inspect
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from services import (
    allocations,
    audit_journal,
    clients,
    db,
    demo,
    iban_detail,
    ibans,
    mandates,
    my_accounts,
    persons,
    staff,
    statements,
    suggestions,
    sync_manual,
    totp,
    user_admin,
    ventilation_export,
)
from services import entries as ventilation_entries
from services.allocation_template import SplitLine
from services.errors import DomainError, Forbidden, NotFound
from services.permissions import Actor
from services.persons import PersonInput
from services.rights import CONSULTATION, GESTION, RIGHTS, VALIDATION
from tests import ventilation_world
from tests.unit import rights_world
from tests.unit.rights_world import ACCOUNTS, CLIENT_USERS, CONNECTIONS, FILES, FIRM_STAFF, GRANTS, MISSING_ID, World

ACTORS = [*FIRM_STAFF, *CLIENT_USERS]
ACCOUNT_TARGETS = [*ACCOUNTS, 'compte inexistant']
CONNECTION_TARGETS = [*CONNECTIONS, 'contrat inexistant']
FILE_TARGETS = [*FILES, 'dossier inexistant']


@dataclass(frozen=True)
class Action:
    """``who``: 'firm' (staff only), 'client' (client users only), 'both'; ``right``: what a client user needs."""

    name: str
    target: str  # 'account', 'connection', 'file', 'staff', 'journal'
    who: str
    right: str | None
    call: Callable[[Actor, World, str], object]
    firm_roles: frozenset[str] = frozenset(FIRM_STAFF)  # which staff, when not every role may


def code() -> str:
    return totp.code_at(demo.TOTP_SECRET, time.time())


def _upload(actor: Actor, world: World, name: str) -> object:
    file_key = ACCOUNTS.get(name, ('fictive', None))[0]
    data = rights_world.statement_file(world.ibans.get(name, world.ibans['compte accordé']))
    account = world.accounts.get(name, MISSING_ID)
    return statements.import_file(
        actor, client_id=world.files[file_key], data=data, file_name='releve.txt', account_id=account
    )


def _add_user(actor: Actor, world: World, name: str) -> object:
    return user_admin.add_user(
        actor,
        client_id=world.files.get(name, MISSING_ID),
        person_id=world.persons.get(name, MISSING_ID),
        email=f'nouveau.{len(name)}@example.fr',
        profile='comptable',
        grants=[],
        code=code(),
    )


def _register(actor: Actor, world: World, name: str) -> object:
    person = PersonInput('Durand', 'Alice', rights_world.date(1980, 5, 4), '0611223344')
    return persons.register_person(actor, world.files.get(name, MISSING_ID), person)


ADMIN_ONLY = frozenset({'administrateur', 'administrateur d’un autre cabinet'})
NOV_1, NOV_30 = rights_world.date(2026, 11, 1), rights_world.date(2026, 11, 30)
ONE_ENTRY = ((3, 'CB PAPETERIE', '-10.00'),)
ACTIONS = [
    Action(
        'voir les opérations', 'account', 'both', CONSULTATION, lambda a, w, n: my_accounts.transactions(a, _id(w, n))
    ),
    Action(
        'voir les relevés', 'account', 'both', CONSULTATION, lambda a, w, n: iban_detail.statements_of(a, _id(w, n))
    ),
    Action('déposer un relevé', 'account', 'both', GESTION, _upload),
    Action(
        'signer le mandat',
        'account',
        'client',
        VALIDATION,
        lambda a, w, n: my_accounts.sign_mandate(a, _id(w, n), certified=True, code=code()),
    ),
    Action('fiche IBAN du cabinet', 'account', 'firm', None, lambda a, w, n: ibans.get_iban(a, _id(w, n))),
    Action('historique du mandat', 'account', 'firm', None, lambda a, w, n: mandates.history(a, _id(w, n))),
    Action('révoquer le mandat', 'account', 'firm', None, lambda a, w, n: mandates.revoke(a, _id(w, n))),
    Action(
        'synchroniser', 'connection', 'both', GESTION, lambda a, w, n: sync_manual.refresh_now(a, _connection(w, n))
    ),
    Action(
        'renouveler l’accès à la banque',
        'connection',
        'both',
        GESTION,
        lambda a, w, n: my_accounts.renewal_url(a, _connection(w, n), callback_url='http://127.0.0.1/mes-comptes'),
    ),
    Action(
        'valider les comptes professionnels',
        'connection',
        'client',
        VALIDATION,
        lambda a, w, n: my_accounts.validate_pro(a, _connection(w, n), certified=True, code=code()),
    ),
    Action('ouvrir le dossier', 'file', 'firm', None, lambda a, w, n: clients.get_client(a, _file(w, n))),
    Action('enregistrer une personne', 'file', 'firm', None, _register),
    Action(
        'voir les utilisateurs',
        'file',
        'dirigeant',
        None,
        lambda a, w, n: user_admin.list_users(a, _file(w, n)),
        ADMIN_ONLY,
    ),
    Action('ajouter un utilisateur', 'file', 'dirigeant', None, _add_user, ADMIN_ONLY),
    Action(
        'lire le journal d’audit',
        'journal',
        'firm',
        None,
        lambda a, w, n: audit_journal.search(a),
        ADMIN_ONLY,
    ),
    Action(
        'voir les suggestions de ventilation',
        'account',
        'both',
        CONSULTATION,
        lambda a, w, n: suggestions.suggestions_for(a, _entry(w, n)),
    ),
    Action(
        'ventiler une écriture',
        'account',
        'both',
        GESTION,
        lambda a, w, n: allocations.allocate(a, _entry(w, n), [SplitLine('627', '', -1000, 0)]),
    ),
    Action(
        'supprimer des écritures en attente',
        'account',
        'both',
        GESTION,
        lambda a, w, n: ventilation_entries.removal_preview(a, account_id=_id(w, n), start=NOV_1, end=NOV_30),
    ),
    Action(
        'valider des écritures', 'account', 'both', VALIDATION, lambda a, w, n: allocations.validate(a, [_entry(w, n)])
    ),
    Action('rouvrir une écriture', 'account', 'both', VALIDATION, lambda a, w, n: allocations.reopen(a, _entry(w, n))),
    Action(
        'exporter les écritures (FEC)',
        'file',
        'dirigeant',
        None,
        lambda a, w, n: ventilation_export.export(a, _file(w, n), kind='fec', end=NOV_30),
    ),
    Action(
        'changer le rôle d’un membre du cabinet',
        'staff',
        'firm',
        None,
        lambda a, w, n: staff.set_role(a, user_id=w.staff_target, role='superviseur', code=code()),
        frozenset({'administrateur'}),
    ),
]


def _id(world: World, name: str) -> int:
    return world.accounts.get(name, MISSING_ID)


def _entry(world: World, name: str) -> int:
    return world.entries.get(name, MISSING_ID)


def _connection(world: World, name: str) -> int:
    return world.connections.get(name, MISSING_ID)


def _file(world: World, name: str) -> int:
    return world.files.get(name, MISSING_ID)


def _file_of(action: Action, target: str) -> str | None:
    if action.target == 'account':
        return ACCOUNTS[target][0] if target in ACCOUNTS else None
    if action.target == 'connection':
        return CONNECTIONS.get(target)
    if action.target == 'file':
        return target if target in FILES else None
    return 'fictive'  # a staff member of the demo firm


def _client_rights(actor: str, action: Action, target: str) -> set[str]:
    """What the oracle says a client user holds on the target."""
    file_key = _file_of(action, target)
    if file_key != ('garage' if actor == 'dirigeant d’un autre client' else 'fictive'):
        return set()
    if actor.startswith('dirigeant'):
        return set(RIGHTS)
    held = GRANTS[actor]
    if action.target == 'account':
        connection = ACCOUNTS[target][1]
        return set(held.get(target, set())) | set(held.get(connection, set()) if connection else set())
    return set(held.get(target, set()))


def expected(world: World, actor: str, action: Action, target: str) -> bool:
    file_key = _file_of(action, target)
    if actor in FIRM_STAFF:
        if action.who not in ('firm', 'both', 'dirigeant') or actor not in action.firm_roles:
            return False
        if action.target == 'journal':  # each administrator reads their own firm's journal, never another's
            return True
        if action.target == 'staff':
            return world.actors[actor].firm_id == world.actors['administrateur'].firm_id
        return file_key is not None and file_key in world.assigned[actor]
    if action.who == 'dirigeant':
        return actor.startswith('dirigeant') and bool(_client_rights(actor, action, target))
    if action.who not in ('client', 'both'):
        return False
    return action.right in _client_rights(actor, action, target)


def _targets(action: Action) -> list[str]:
    return {
        'account': ACCOUNT_TARGETS,
        'connection': CONNECTION_TARGETS,
        'file': FILE_TARGETS,
        'staff': ['membre'],
        'journal': ['son cabinet'],
    }[action.target]


CASES = [
    pytest.param(action, actor, target, id=f'{action.name} | {actor} | {target}')
    for action in ACTIONS
    for actor in ACTORS
    for target in _targets(action)
]


@pytest.fixture(scope='module')
def world_file(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Path, World]:
    path = tmp_path_factory.mktemp('rights') / 'world.db'
    shutil.copy(sqlite_template, path)
    db.configure(f'sqlite:///{path}')
    demo.seed()
    world = rights_world.build()
    for name, account_id in world.accounts.items():
        ventilation_world.fill(account_id, month=ONE_ENTRY)
        world.entries[name] = ventilation_world.entry_ids(account_id)[0]
    db.dispose()
    return path, world


@pytest.fixture(autouse=True)
def modules(unreachable_aggregator: None) -> None:
    """Syncs that pass the rights fail at a bank that does not answer."""


@pytest.mark.parametrize(('action', 'actor', 'target'), CASES)
async def test_matrix(world_file: tuple[Path, World], tmp_path: Path, action: Action, actor: str, target: str) -> None:
    source, world = world_file
    shutil.copy(source, tmp_path / 'case.db')
    db.configure(f'sqlite:///{tmp_path / "case.db"}')
    try:
        refused = await _refused(action.call, world.actors[actor], world, target)
    finally:
        db.dispose()
    should_pass = expected(world, actor, action, target)
    assert refused is None if should_pass else refused is not None, refused


async def _refused(call: Callable, actor: Actor, world: World, target: str) -> Exception | None:
    """The refusal (Forbidden or NotFound), or None when the rights let the call through (it may still fail later
    for another reason, a bank that does not answer or a mandate in another state)."""
    try:
        result = call(actor, world, target)
        if inspect.isawaitable(result):
            await result
    except (Forbidden, NotFound) as refusal:
        return refusal
    except DomainError:  # past the rights (a wrong state, a bank that does not answer): another test's story
        return None
    return None
