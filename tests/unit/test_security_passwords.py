"""Passwords as ASVS 5.0 wants them (6.2.5, 6.2.8, 6.2.9, 11.2.2, 11.5.1): no composition rule, no maximum length,
verified exactly as typed, rehashed when the argon2 parameters change, temporary ones drawn at random."""

from __future__ import annotations

import math
import re

import pytest
from passlib.hash import argon2
from sqlmodel import select

from services import auth, demo, passwords, users
from services.db import session_scope
from services.errors import AuthError
from services.models import User

ADMIN = 'admin@cabinet-demo.fr'
NEWCOMER = 'nouvelle.recrue@cabinet-demo.fr'
DEMO_FIRM_SIREN = '412345670'
LOWERCASE_PASSPHRASE = 'le cheval mange une agrafe sous la batterie du jardin'
PASSWORD_OF_100 = ('Un long trajet en train de Lyon à Brest, 7 heures ! ' * 2)[:100]
PASSWORD_OF_128 = ('Quatre-vingt-dix-neuf moutons blancs & 1 noir paissent au pré. ' * 3)[:128]


def _newcomer_pending() -> auth.PendingSignIn:
    temporary = users.create_user(
        email=NEWCOMER, first_name='Nina', last_name='Recrue', role='collaborateur', firm_siren=DEMO_FIRM_SIREN
    )
    return auth.check_password(NEWCOMER, temporary, ip=None)


def _parameters(password_hash: str) -> str:
    """The argon2 cost parameters of a hash (``m=…,t=…,p=…``)."""
    return password_hash.split('$')[3]


def _stored_hash(email: str) -> str:
    with session_scope() as session:
        return session.exec(select(User.password_hash).where(User.email == email)).one()


# 6.2.5: no composition rule


def test_a_long_all_lowercase_passphrase_passes_the_policy() -> None:
    assert passwords.check_policy(LOWERCASE_PASSPHRASE, email=NEWCOMER) is None


def test_a_password_of_twelve_digits_only_passes_the_policy() -> None:
    assert passwords.check_policy('739184652091', email=NEWCOMER) is None


def test_a_newcomer_chooses_a_passphrase_without_capital_digit_or_symbol_and_signs_in_with_it(
    demo_data: None,
) -> None:
    auth.change_initial_password(_newcomer_pending(), LOWERCASE_PASSPHRASE)
    assert auth.check_password(NEWCOMER, LOWERCASE_PASSPHRASE, ip=None).email == NEWCOMER


# 6.2.8: verified exactly as typed


def test_the_demo_password_typed_with_its_case_swapped_is_refused(demo_data: None) -> None:
    with pytest.raises(AuthError, match='E-mail ou mot de passe incorrect'):
        auth.check_password(ADMIN, demo.PASSWORD.swapcase(), ip=None)


def test_the_demo_password_typed_in_lowercase_is_refused(demo_data: None) -> None:
    with pytest.raises(AuthError, match='E-mail ou mot de passe incorrect'):
        auth.check_password(ADMIN, demo.PASSWORD.lower(), ip=None)


def test_the_demo_password_missing_its_last_character_is_refused(demo_data: None) -> None:
    with pytest.raises(AuthError, match='E-mail ou mot de passe incorrect'):
        auth.check_password(ADMIN, demo.PASSWORD[:-1], ip=None)


def test_the_demo_password_with_a_trailing_space_is_another_password(demo_data: None) -> None:
    with pytest.raises(AuthError, match='E-mail ou mot de passe incorrect'):
        auth.check_password(ADMIN, demo.PASSWORD + ' ', ip=None)


def test_only_the_email_is_normalised_at_sign_in(demo_data: None) -> None:
    assert auth.check_password('  ADMIN@Cabinet-Demo.FR ', demo.PASSWORD, ip=None).email == ADMIN


def test_the_first_72_characters_of_a_long_password_do_not_verify_against_its_hash() -> None:
    stored = passwords.hash_password(PASSWORD_OF_128)
    assert passwords.verify(PASSWORD_OF_128[:72], stored) == (False, None)  # 72: where bcrypt would have cut


def test_a_long_password_with_one_character_changed_at_its_end_does_not_verify() -> None:
    stored = passwords.hash_password(PASSWORD_OF_128)
    assert passwords.verify(PASSWORD_OF_128[:-1] + '?', stored) == (False, None)


# 6.2.9: 64 characters and more


def test_a_password_of_100_characters_passes_the_policy_and_is_verified_as_typed() -> None:
    assert len(PASSWORD_OF_100) == 100
    assert passwords.check_policy(PASSWORD_OF_100, email=NEWCOMER) is None
    assert passwords.verify(PASSWORD_OF_100, passwords.hash_password(PASSWORD_OF_100)) == (True, None)


def test_a_password_of_128_characters_passes_the_policy_and_is_verified_as_typed() -> None:
    assert len(PASSWORD_OF_128) == 128
    assert passwords.check_policy(PASSWORD_OF_128, email=NEWCOMER) is None
    assert passwords.verify(PASSWORD_OF_128, passwords.hash_password(PASSWORD_OF_128)) == (True, None)


def test_a_newcomer_chooses_a_password_of_128_characters_and_signs_in_with_it(demo_data: None) -> None:
    auth.change_initial_password(_newcomer_pending(), PASSWORD_OF_128)
    assert auth.check_password(NEWCOMER, PASSWORD_OF_128, ip=None).email == NEWCOMER


def test_a_newcomer_with_a_password_of_128_characters_is_refused_with_its_first_64(demo_data: None) -> None:
    auth.change_initial_password(_newcomer_pending(), PASSWORD_OF_128)
    with pytest.raises(AuthError, match='E-mail ou mot de passe incorrect'):
        auth.check_password(NEWCOMER, PASSWORD_OF_128[:64], ip=None)


# 11.2.2: a hash made with older argon2 parameters is replaced at sign-in


def test_a_hash_made_with_weaker_argon2_parameters_is_verified_and_a_new_one_returned() -> None:
    old = argon2.using(rounds=1, memory_cost=8192, parallelism=1).hash(PASSWORD_OF_100)
    ok, new_hash = passwords.verify(PASSWORD_OF_100, old)
    assert ok and new_hash is not None
    assert _parameters(new_hash) == _parameters(passwords.hash_password('n’importe quoi')) != _parameters(old)
    assert passwords.verify(PASSWORD_OF_100, new_hash) == (True, None)


def test_a_hash_made_with_the_current_parameters_is_kept() -> None:
    assert passwords.verify(PASSWORD_OF_100, passwords.hash_password(PASSWORD_OF_100)) == (True, None)


def test_a_wrong_password_against_an_old_hash_gives_no_new_hash() -> None:
    old = argon2.using(rounds=1, memory_cost=8192, parallelism=1).hash(PASSWORD_OF_100)
    assert passwords.verify(PASSWORD_OF_100 + '!', old) == (False, None)


def _give_the_admin_an_old_hash() -> str:
    """The demo admin's password hashed as an older Relais did (weaker argon2 parameters); that hash."""
    old = argon2.using(rounds=1, memory_cost=8192, parallelism=1).hash(demo.PASSWORD)
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == ADMIN)).one()
        user.password_hash = old
        session.add(user)
    return old


def test_signing_in_replaces_a_hash_made_with_older_parameters_by_one_with_the_current_ones(demo_data: None) -> None:
    old = _give_the_admin_an_old_hash()
    auth.check_password(ADMIN, demo.PASSWORD, ip=None)
    stored = _stored_hash(ADMIN)
    assert stored != old and _parameters(stored) == _parameters(passwords.hash_password('x'))
    assert passwords.verify(demo.PASSWORD, stored) == (True, None)


def test_a_failed_sign_in_leaves_an_old_hash_in_place(demo_data: None) -> None:
    old = _give_the_admin_an_old_hash()
    with pytest.raises(AuthError):
        auth.check_password(ADMIN, 'pas le bon mot de passe', ip=None)
    assert _stored_hash(ADMIN) == old


# 11.5.1: temporary passwords are unguessable


def test_a_temporary_password_is_three_groups_of_five_letters_or_digits() -> None:
    assert re.fullmatch(r'[A-Za-z0-9]{5}-[A-Za-z0-9]{5}-[A-Za-z0-9]{5}', passwords.temporary_password())
    assert 15 * math.log2(62) > 89  # 15 characters drawn among 62: about 89 bits


def test_two_hundred_temporary_passwords_are_all_different() -> None:
    assert len({passwords.temporary_password() for _ in range(200)}) == 200


def test_temporary_passwords_use_the_whole_alphabet_of_letters_and_digits() -> None:
    seen = set(''.join(passwords.temporary_password() for _ in range(200)).replace('-', ''))
    assert seen == set('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')


def test_a_temporary_password_passes_the_password_policy() -> None:
    for _ in range(50):
        assert passwords.check_policy(passwords.temporary_password(), email=NEWCOMER) is None


def test_two_new_users_get_different_temporary_passwords(demo_data: None) -> None:
    first, second = (
        users.create_user(
            email=f'recrue{n}@cabinet-demo.fr',
            first_name='Nina',
            last_name='Recrue',
            role='collaborateur',
            firm_siren=DEMO_FIRM_SIREN,
        )
        for n in (1, 2)
    )
    assert first != second
