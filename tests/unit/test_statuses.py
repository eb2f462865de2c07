"""Every aggregator status lands on one status of DESIGN.md, with its French words."""

from datetime import timedelta

import pytest

from services import statuses
from services.clock import now
from services.formatting import day, moment


@pytest.mark.parametrize(
    ('code', 'info', 'expected'),
    [
        (0, None, 'ok'),
        (-2, None, 'syncing'),
        (-3, None, 'syncing'),
        (402, 'WRONG_PWD', 'credentials_invalid'),
        (430, None, 'credentials_invalid'),
        (429, 'PWD_RENEWAL', 'credentials_invalid'),
        (429, 'TOS_TO_VALIDATE', 'bank_action_required'),
        (1010, 'SCA_REQUIRED', 'sca_required'),
        (1100, 'PRO_ACCOUNTS_TO_VALIDATE', 'pro_validation_required'),
        (1003, 'BANK_IS_DOWN', 'bank_unavailable'),
        (1007, None, 'bank_unavailable'),
        (1003, 'CNT_CRASH', 'provider_error'),
        (1005, None, 'provider_error'),
        (9999, None, 'provider_error'),
    ],
)
def test_aggregator_codes_map_to_one_status(code: int, info: str | None, expected: str) -> None:
    assert statuses.from_provider(code, info) == expected


def test_a_consent_ending_within_fourteen_days_needs_renewal() -> None:
    assert statuses.effective('ok', now() + timedelta(days=15)) == 'ok'
    assert statuses.effective('ok', now() + timedelta(days=10)) == 'consent_expiring'
    assert statuses.label('consent_expiring', now() + timedelta(days=10, hours=1)) == 'Renouvellement à prévoir (J-10)'
    assert statuses.effective('ok', now() - timedelta(days=1)) == 'sca_required'


def test_every_problem_says_what_happened_in_french() -> None:
    problems = [info for info in statuses.STATUSES.values() if info.problem]
    assert all(info.sentence.endswith('.') and info.who_acts in {'client', 'support', 'nobody'} for info in problems)
    assert statuses.STATUSES['pro_validation_required'].sentence == (
        'Veuillez valider votre/vos compte(s) professionnel(s) en cliquant sur ce lien.'
    )


def test_the_renewal_column_gives_the_date_and_the_days_left() -> None:
    expires = now() + timedelta(days=40, hours=1)
    assert statuses.renewal_text('ok', expires) == f'{day(expires)} (J-40)'
    assert statuses.renewal_text('ok', None) == '—'


def test_a_renewal_the_bank_already_asks_for_shows_no_date() -> None:
    assert statuses.renewal_text('sca_required', now() + timedelta(days=170)) == 'À renouveler maintenant'


def test_what_waits_for_the_client_has_no_next_sync() -> None:
    planned = now() + timedelta(hours=6)
    assert statuses.next_sync_text('pro_validation_required', None) == 'En attente du client'
    assert statuses.next_sync_text('consent_expiring', planned) == moment(planned)
