"""« Mes comptes »: client users see the accounts they were given, and do on each only what their rights allow."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from services import demo, mandates, my_accounts, totp, user_admin
from services.banking_models import Transaction
from services.db import session_scope
from services.errors import AuthError, Forbidden, NotFound
from services.models import AuditEvent, User
from services.rights import CONSULTATION, RIGHTS, Grant
from tests.unit import rights_world
from tests.unit.rights_world import World

OTHER_IBAN = 'FR7610278022040002042760330'


@pytest.fixture
def world(demo_data: None) -> World:
    return rights_world.build()


def fresh_code(user_id: int) -> str:
    with session_scope() as session:
        session.get(User, user_id).totp_last_step = None
    return totp.code_at(demo.TOTP_SECRET, time.time())


def mandate_status(account_id: int) -> str:
    with session_scope() as session:
        return mandates.current(session, account_id).status


def test_a_comptable_sees_only_the_accounts_given_to_him_and_only_to_consult(world: World) -> None:
    seen = my_accounts.list_accounts(world.actors['comptable'])
    assert {row.account_id: row.rights for row in seen} == {
        world.accounts['compte accordé']: frozenset({CONSULTATION}),
        world.accounts['compte du contrat']: frozenset({CONSULTATION}),
    }
    assert not any(row.may_manage or row.may_validate for row in seen)


def test_a_right_on_a_contract_covers_the_accounts_it_brings(world: World) -> None:
    seen = {row.account_id: row.rights for row in my_accounts.list_accounts(world.actors['valideur'])}
    assert seen[world.accounts['compte du contrat']] == frozenset({CONSULTATION, 'validation'})


def test_a_preparer_uploads_a_statement_file_into_the_account_he_manages(world: World) -> None:
    account = world.accounts['compte accordé']
    data = rights_world.statement_file(world.ibans['compte accordé'])
    summary = my_accounts.upload(world.actors['préparateur'], account, data=data, file_name='releve.txt')
    assert summary.new_transactions == 1
    labels = [row.label for row in my_accounts.transactions(world.actors['comptable'], account)]
    assert labels == ['CB BOULANGERIE']


def test_a_preparer_cannot_sign_the_mandate_of_the_account_he_manages(world: World) -> None:
    preparer = world.actors['préparateur']
    with pytest.raises(Forbidden, match='droit de validation'):
        my_accounts.sign_mandate(
            preparer, world.accounts['compte accordé'], certified=True, code=fresh_code(preparer.user_id)
        )
    assert mandate_status(world.accounts['compte accordé']) == 'to_sign'


def test_a_valideur_signs_the_mandate_with_a_fresh_code_after_a_wrong_one(world: World) -> None:
    signer, account = world.actors['valideur'], world.accounts['compte accordé']
    with pytest.raises(AuthError):
        my_accounts.sign_mandate(signer, account, certified=True, code='000000')
    assert mandate_status(account) == 'to_sign'
    my_accounts.sign_mandate(signer, account, certified=True, code=fresh_code(signer.user_id))
    assert mandate_status(account) == 'signed'
    with session_scope() as session:
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.actor_user_id == signer.user_id)).all()
    assert actions == ['strong_auth.failed', 'strong_auth.success', 'mandate.sign']


def test_an_account_nobody_gave_him_is_not_even_there_for_a_client_user(world: World) -> None:
    with pytest.raises(NotFound):
        my_accounts.transactions(world.actors['valideur'], world.accounts['compte non accordé'])


def test_the_dirigeant_holds_every_right_on_accounts_added_later(world: World) -> None:
    added = mandates.add_iban(world.actors['administrateur'], client_id=world.files['fictive'], value=OTHER_IBAN)
    seen = {row.account_id: row.rights for row in my_accounts.list_accounts(world.actors['dirigeant'])}
    assert seen[added.id] == frozenset(RIGHTS)


def test_rights_taken_back_close_the_account_at_once(world: World) -> None:
    dirigeant, preparer = world.actors['dirigeant'], world.actors['préparateur']
    user_admin.change_rights(
        dirigeant,
        client_id=world.files['fictive'],
        user_id=preparer.user_id,
        profile='preparateur',
        grants=[Grant('account', world.accounts['compte du contrat'], True, True, False)],
        code=fresh_code(dirigeant.user_id),
    )
    assert [row.account_id for row in my_accounts.list_accounts(preparer)] == [world.accounts['compte du contrat']]
    with pytest.raises(NotFound):
        my_accounts.upload(preparer, world.accounts['compte accordé'], data=b'x', file_name='releve.txt')
    with session_scope() as session:
        assert session.exec(select(Transaction)).first() is None


def test_firm_staff_have_no_accounts_of_their_own_to_list(world: World) -> None:
    with pytest.raises(NotFound):
        my_accounts.list_accounts(world.actors['administrateur'])


async def test_a_comptable_cannot_ask_the_bank_for_a_sync(world: World) -> None:
    with pytest.raises(Forbidden, match='droit de gestion'):
        await my_accounts.refresh(world.actors['comptable'], world.connections['contrat'])


async def test_a_comptable_cannot_renew_the_bank_consent(world: World) -> None:
    with pytest.raises(Forbidden, match='droit de gestion'):
        await my_accounts.renewal_url(
            world.actors['comptable'], world.connections['contrat'], callback_url='http://127.0.0.1/mes-comptes'
        )
