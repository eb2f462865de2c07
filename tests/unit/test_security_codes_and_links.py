"""Codes, seeds, session ids and links as ASVS 5.0 wants them (6.5.3, 6.5.5, 6.6.2, 7.2.3, 9.2.2, 11.2.2, 11.5.1):
drawn at random and long enough, short-lived, bound to what they were made for, and webhooks that survive a secret
rotation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import string
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select

from services import auth, demo, magic_links, mandate_links, mandates, outbox, sessions, totp, users, webhooks
from services.banking_models import BankConnection
from services.clock import aware, now
from services.db import session_scope
from services.errors import AuthError, InvalidInput
from services.health_models import MagicLink, OutboxMessage
from services.magic_links import LinkUnusable
from services.models import Client, User
from services.outbox import Channels
from services.permissions import Actor
from services.settings import load_settings

LINK_SECRET = 'unit-link-secret-' * 3
CLIENT_NAME = 'EntrepriseFictive SARL'
CLIENT_PHONE = '0612345678'  # the file's contact phone: mandate codes go there
IBAN = 'FR7630004008230001024567863'
OTHER_IBAN = 'FR7630006000011234567890189'
SIGNER = 'Jean-Michel Martin'
URL_SAFE = set(string.ascii_letters + string.digits + '-_')
TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
MOMENT = 59_666_666 * totp.STEP_SECONDS + 15  # the middle of a step: a step away is 30 s away, both sides
OLD_WEBHOOK_SECRET = 'the-secret-before-the-rotation'
NEW_WEBHOOK_SECRET = 'x'  # the one `unreachable_aggregator` registers


@pytest.fixture(autouse=True)
def links() -> Iterator[None]:
    magic_links.configure(secret=LINK_SECRET, public_url='http://relais.test')
    outbox.configure(Channels())  # no channel: messages stay in the outbox, where the test reads them
    yield
    outbox.configure(Channels())


def _client_id() -> int:
    with session_scope() as session:
        return session.exec(select(Client.id).where(Client.legal_name == CLIENT_NAME)).one()


def _token(url: str) -> str:
    return url.rsplit('/lien/', 1)[1]


def _mandate_token(admin: Actor, iban: str = IBAN) -> str:
    account = mandates.add_iban(admin, client_id=_client_id(), value=iban)
    return _token(mandates.issue_link(admin, account.id))


def _fix_token(admin: Actor) -> str:
    """A link for the client's part of a connection's fix (here a DSP2 renewal)."""
    with session_scope() as session:
        client = session.get(Client, _client_id())
        connection = BankConnection(
            client_id=client.id,
            firm_id=client.firm_id,
            provider='bridge',
            provider_item_id='7',
            bank_name='CIC',
            status='sca_required',
        )
        session.add(connection)
        session.flush()
        connection_id = connection.id
    return _token(magic_links.issue(admin, connection_id))


def _last_code() -> str:
    with session_scope() as session:
        body = session.exec(
            select(OutboxMessage.body).where(OutboxMessage.recipient == CLIENT_PHONE).order_by(OutboxMessage.id.desc())
        ).first()
    return re.search(r'est (\d{6})', body).group(1)


def _send_code(token: str) -> str:
    mandate_links.send_code(token)
    return _last_code()


def _send_another_code(token: str, than: str) -> str:
    """A new code for the link, other than ``than`` (two draws agree once in a million)."""
    code = _send_code(token)
    while code == than:
        code = _send_code(token)
    return code


def _link_of(token: str) -> MagicLink:
    with session_scope() as session:
        return magic_links.link_of(session, token)


def _mandate_status(token: str) -> str:
    return mandate_links.open_mandate(token).status


def _outbox_size() -> int:
    with session_scope() as session:
        return len(session.exec(select(OutboxMessage.id)).all())


def _bits(token: str) -> int:
    return 8 * len(base64.urlsafe_b64decode(token + '=' * (-len(token) % 4)))


def _pending_with_code(email: str) -> auth.PendingSignIn:
    pending = auth.check_password(email, demo.PASSWORD, ip=None)
    auth.verify_sign_in_code(pending, totp.code_at(demo.TOTP_SECRET, time.time()))
    return pending


def _let_the_same_code_serve_again(email: str) -> None:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        user.totp_last_step = None  # as if 30 seconds had passed
        session.add(user)


def _bridge_signature(secret: str, body: bytes) -> str:
    return 'v1=' + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().upper()


# 6.5.3: seeds and codes from a CSPRNG (the draw itself is proven by code review and
# tests/unit/test_security_code_guards.py; here, what can be observed of it)


def test_a_totp_seed_is_32_base32_characters_that_is_160_bits() -> None:
    seed = totp.new_secret()
    assert len(seed) == 32 and set(seed) <= set(string.ascii_uppercase + '234567')
    assert len(base64.b32decode(seed)) * 8 == 160


def test_a_thousand_totp_seeds_are_all_different() -> None:
    assert len({totp.new_secret() for _ in range(1000)}) == 1000


def test_the_library_that_draws_totp_seeds_draws_from_the_operating_system() -> None:
    assert isinstance(pyotp.compat.random, random.SystemRandom)  # pyotp.random_base32 draws from it


def test_an_enrolment_gives_the_newcomer_a_fresh_seed_of_160_bits(demo_data: None) -> None:
    temporary = users.create_user(
        email='recrue@cabinet-demo.fr',
        first_name='Nina',
        last_name='Recrue',
        role='collaborateur',
        firm_siren='412345670',
    )
    pending = auth.check_password('recrue@cabinet-demo.fr', temporary, ip=None)
    auth.change_initial_password(pending, 'une phrase de passe pour la recrue')
    seed, _uri = auth.start_enrolment(pending)
    assert len(base64.b32decode(seed)) * 8 == 160 and seed != demo.TOTP_SECRET


def test_a_mandate_code_is_six_digits(admin: Actor) -> None:
    assert re.fullmatch(r'\d{6}', _send_code(_mandate_token(admin)))


def test_five_mandate_codes_in_a_row_are_not_all_the_same(admin: Actor) -> None:
    token = _mandate_token(admin)
    assert len({_send_code(token) for _ in range(5)}) > 1


def test_a_mandate_code_is_kept_only_as_a_digest(admin: Actor) -> None:
    token = _mandate_token(admin)
    code = _send_code(token)
    stored = _link_of(token).code_hash
    assert code not in stored and re.fullmatch(r'[0-9a-f]{64}', stored)


# 6.5.5: a mandate code lives 10 minutes; a TOTP code one step either way, not two


def test_a_mandate_code_is_given_ten_minutes_of_life(admin: Actor) -> None:
    token = _mandate_token(admin)
    before = now()
    _send_code(token)
    after = now()
    expires = aware(_link_of(token).code_expires_at)
    assert before + timedelta(minutes=10) <= expires <= after + timedelta(minutes=10)


def test_a_mandate_code_typed_once_its_ten_minutes_are_over_is_refused(admin: Actor) -> None:
    token = _mandate_token(admin)
    code = _send_code(token)
    with session_scope() as session:  # the clock cannot be moved: the code is made to have been sent 10 min ago
        link = magic_links.link_of(session, token)
        link.code_expires_at = now() - timedelta(seconds=1)
        session.add(link)
    with pytest.raises(InvalidInput, match='Ce code n’est plus valable'):
        mandate_links.sign(token, signer_name=SIGNER, certified=True, code=code)
    assert _mandate_status(token) == 'to_sign'


def test_a_mandate_code_typed_within_its_ten_minutes_signs(admin: Actor) -> None:
    token = _mandate_token(admin)
    code = _send_code(token)
    with session_scope() as session:  # sent 9 minutes 59 seconds ago
        link = magic_links.link_of(session, token)
        link.code_expires_at = now() + timedelta(seconds=1)
        session.add(link)
    mandate_links.sign(token, signer_name=SIGNER, certified=True, code=code)
    with pytest.raises(LinkUnusable, match='déjà été utilisé'):
        mandate_links.open_mandate(token)


def test_a_totp_code_of_the_current_step_is_accepted() -> None:
    code = totp.code_at(TOTP_SECRET, MOMENT)
    assert totp.matching_step(TOTP_SECRET, code, now=MOMENT) == MOMENT // totp.STEP_SECONDS


def test_a_totp_code_one_step_old_is_still_accepted() -> None:
    code = totp.code_at(TOTP_SECRET, MOMENT - 30)
    assert totp.matching_step(TOTP_SECRET, code, now=MOMENT) == MOMENT // totp.STEP_SECONDS - 1


def test_a_totp_code_one_step_ahead_is_still_accepted() -> None:
    code = totp.code_at(TOTP_SECRET, MOMENT + 30)
    assert totp.matching_step(TOTP_SECRET, code, now=MOMENT) == MOMENT // totp.STEP_SECONDS + 1


def test_a_totp_code_two_steps_old_is_refused() -> None:
    assert totp.matching_step(TOTP_SECRET, totp.code_at(TOTP_SECRET, MOMENT - 60), now=MOMENT) is None


def test_a_totp_code_two_steps_ahead_is_refused() -> None:
    assert totp.matching_step(TOTP_SECRET, totp.code_at(TOTP_SECRET, MOMENT + 60), now=MOMENT) is None


def test_a_sign_in_code_of_a_minute_ago_is_refused(demo_data: None) -> None:
    pending = auth.check_password('admin@cabinet-demo.fr', demo.PASSWORD, ip=None)
    with pytest.raises(AuthError, match='incorrect ou déjà utilisé'):
        auth.verify_sign_in_code(pending, totp.code_at(demo.TOTP_SECRET, time.time() - 60))
    assert pending.next_step == 'code'


# 6.6.2: a mandate code serves its own link only, and a new code cancels the old one


def test_a_mandate_code_does_not_sign_another_mandates_link(admin: Actor) -> None:
    first, second = _mandate_token(admin, IBAN), _mandate_token(admin, OTHER_IBAN)
    code_of_first = _send_code(first)
    _send_another_code(second, than=code_of_first)
    with pytest.raises(InvalidInput, match='Code incorrect'):
        mandate_links.sign(second, signer_name=SIGNER, certified=True, code=code_of_first)
    assert _mandate_status(second) == 'to_sign'


def test_a_mandate_code_signs_its_own_link_after_being_tried_on_another(admin: Actor) -> None:
    first, second = _mandate_token(admin, IBAN), _mandate_token(admin, OTHER_IBAN)
    code_of_first = _send_code(first)
    _send_another_code(second, than=code_of_first)
    with pytest.raises(InvalidInput):
        mandate_links.sign(second, signer_name=SIGNER, certified=True, code=code_of_first)
    mandate_links.sign(first, signer_name=SIGNER, certified=True, code=code_of_first)
    assert mandate_links.open_mandate(second).status == 'to_sign'
    with pytest.raises(LinkUnusable, match='déjà été utilisé'):
        mandate_links.open_mandate(first)


def test_a_new_mandate_code_cancels_the_previous_one(admin: Actor) -> None:
    token = _mandate_token(admin)
    old = _send_code(token)
    _send_another_code(token, than=old)
    with pytest.raises(InvalidInput, match='Code incorrect'):
        mandate_links.sign(token, signer_name=SIGNER, certified=True, code=old)
    assert _mandate_status(token) == 'to_sign'


def test_the_newest_mandate_code_signs_once_the_previous_one_is_cancelled(admin: Actor) -> None:
    token = _mandate_token(admin)
    newest = _send_another_code(token, than=_send_code(token))
    mandate_links.sign(token, signer_name=SIGNER, certified=True, code=newest)
    with pytest.raises(LinkUnusable, match='déjà été utilisé'):
        mandate_links.open_mandate(token)


def test_a_new_mandate_code_gives_five_fresh_tries(admin: Actor) -> None:
    token = _mandate_token(admin)
    code = _send_code(token)
    wrong = '000000' if code != '000000' else '111111'
    for _ in range(mandate_links.MAX_TRIES):
        with pytest.raises(InvalidInput, match='Code incorrect'):
            mandate_links.sign(token, signer_name=SIGNER, certified=True, code=wrong)
    _send_code(token)
    assert _link_of(token).code_attempts == 0


# 7.2.3: session ids and sign-in tickets: 256 random bits, never shared


def test_a_session_id_is_43_url_safe_characters_holding_256_bits(demo_data: None) -> None:
    session_id = sessions.redeem_ticket(sessions.open_session(_pending_with_code('admin@cabinet-demo.fr')))
    assert len(session_id) == 43 and set(session_id) <= URL_SAFE and _bits(session_id) >= 256


def test_a_sign_in_ticket_is_43_url_safe_characters_holding_256_bits(demo_data: None) -> None:
    ticket = sessions.open_session(_pending_with_code('admin@cabinet-demo.fr'))
    assert len(ticket) == 43 and set(ticket) <= URL_SAFE and _bits(ticket) >= 256


def test_a_sign_in_ticket_and_the_session_it_opens_have_different_ids(demo_data: None) -> None:
    ticket = sessions.open_session(_pending_with_code('admin@cabinet-demo.fr'))
    assert sessions.redeem_ticket(ticket) != ticket


def test_two_sign_ins_get_two_different_tickets_and_sessions(demo_data: None) -> None:
    first_ticket = sessions.open_session(_pending_with_code('admin@cabinet-demo.fr'))
    _let_the_same_code_serve_again('admin@cabinet-demo.fr')
    second_ticket = sessions.open_session(_pending_with_code('admin@cabinet-demo.fr'))
    assert first_ticket != second_ticket
    assert sessions.redeem_ticket(first_ticket) != sessions.redeem_ticket(second_ticket)


# 9.2.2: a link's kind and use are checked


def test_a_mandate_link_does_not_open_as_a_connection_fix_link(admin: Actor) -> None:
    with pytest.raises(LinkUnusable) as refusal:
        magic_links.open_link(_mandate_token(admin))
    assert refusal.value.reason == 'invalid' and str(refusal.value) == 'Ce lien n’est pas valide.'


def test_a_mandate_link_cannot_be_spent_as_a_connection_fix(admin: Actor) -> None:
    token = _mandate_token(admin)
    with pytest.raises(LinkUnusable, match='n’est pas valide'):
        magic_links.spend(token, signer_name=SIGNER)
    assert _mandate_status(token) == 'to_sign'


def test_a_connection_fix_link_does_not_open_a_mandate(admin: Actor) -> None:
    with pytest.raises(LinkUnusable) as refusal:
        mandate_links.open_mandate(_fix_token(admin))
    assert refusal.value.reason == 'invalid'


def test_a_connection_fix_link_cannot_ask_for_a_mandate_code(admin: Actor) -> None:
    token = _fix_token(admin)
    messages = _outbox_size()
    with pytest.raises(LinkUnusable, match='n’est pas valide'):
        mandate_links.send_code(token)
    assert _outbox_size() == messages


def test_a_connection_fix_link_cannot_sign_a_mandate(admin: Actor) -> None:
    _mandate_token(admin)
    with pytest.raises(LinkUnusable, match='n’est pas valide'):
        mandate_links.sign(_fix_token(admin), signer_name=SIGNER, certified=True, code='123456')


def test_a_link_id_signed_with_the_secret_but_another_salt_is_refused(admin: Actor) -> None:
    link_id = _link_of(_fix_token(admin)).id
    forged = URLSafeTimedSerializer(LINK_SECRET).dumps(link_id)  # itsdangerous's default salt, not the links' one
    with pytest.raises(LinkUnusable) as refusal:
        magic_links.open_link(forged)
    assert refusal.value.reason == 'invalid'


def test_a_link_id_signed_with_another_secret_is_refused(admin: Actor) -> None:
    link_id = _link_of(_mandate_token(admin)).id
    forged = URLSafeTimedSerializer('another-secret-' * 3, salt='relais-magic-link').dumps(link_id)
    with pytest.raises(LinkUnusable, match='n’est pas valide'):
        mandate_links.open_mandate(forged)


# 11.2.2: webhooks accepted during a secret rotation (two signatures)


async def test_a_webhook_signed_with_the_old_and_the_new_secret_during_a_rotation_is_accepted(
    database: str, unreachable_aggregator: None
) -> None:
    body = json.dumps({'type': 'item.account.updated', 'content': {}}).encode()
    both = f'{_bridge_signature(OLD_WEBHOOK_SECRET, body)},{_bridge_signature(NEW_WEBHOOK_SECRET, body)}'
    assert webhooks.handle('bridge', body, both) is True


async def test_a_webhook_signed_with_the_old_secret_only_is_refused_once_the_secret_changed(
    database: str, unreachable_aggregator: None
) -> None:
    body = json.dumps({'type': 'item.account.updated', 'content': {}}).encode()
    with pytest.raises(webhooks.BadSignature):
        webhooks.handle('bridge', body, _bridge_signature(OLD_WEBHOOK_SECRET, body))


async def test_a_rotation_signature_does_not_cover_another_body(database: str, unreachable_aggregator: None) -> None:
    body = json.dumps({'type': 'item.account.updated', 'content': {}}).encode()
    both = f'{_bridge_signature(OLD_WEBHOOK_SECRET, body)},{_bridge_signature(NEW_WEBHOOK_SECRET, body)}'
    with pytest.raises(webhooks.BadSignature):
        webhooks.handle('bridge', body.replace(b'updated', b'created'), both)


# 11.5.1: the cookie secret Relais makes for itself


def test_a_generated_cookie_secret_holds_384_bits_and_differs_between_two_installations(tmp_path: Path) -> None:
    first = load_settings({'RELAIS_DATA_DIR': str(tmp_path / 'one')}).secret
    second = load_settings({'RELAIS_DATA_DIR': str(tmp_path / 'two')}).secret
    assert len(first) == 64 and set(first) <= URL_SAFE and _bits(first) == 384
    assert first != second
