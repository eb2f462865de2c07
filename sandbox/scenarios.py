"""Demo scenarios: the identifiant typed on the hosted page chooses how the bank behaves (see README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

CONSENT_DAYS = 180
SCENARIOS = frozenset(
    {
        'demo',
        'pro',
        'otp',
        'sca',
        'pwd',
        'tos',
        'down',
        'slow',
        'flaky',
        'many',
        'crash',
        'unsupported',
        'unavailable',
        'renewal',
    }
)
SECRET_CODE = '1234'
OTP_CODE = '123456'

DESCRIPTIONS: dict[tuple[int, str | None], str] = {
    (0, None): 'Les comptes sont synchronisés.',
    (-2, None): 'La connexion vient d’être créée : la première synchronisation est en cours.',
    (-3, None): 'Une synchronisation est en cours.',
    (1100, 'PRO_ACCOUNTS_TO_VALIDATE'): 'Des comptes professionnels doivent être validés avant leur synchronisation.',
    (1010, 'SCA_REQUIRED'): 'La banque demande une authentification forte (DSP2) pour continuer à synchroniser.',
    (402, 'WRONG_PWD'): 'La banque refuse le code secret : il a probablement été modifié.',
    (429, 'TOS_TO_VALIDATE'): 'De nouvelles conditions générales sont à accepter sur le site de la banque.',
    (429, 'PWD_RENEWAL'): 'La banque demande de renouveler le code secret sur son site.',
    (1003, 'BANK_IS_DOWN'): 'Le site de la banque est momentanément indisponible.',
    (1003, 'CNT_CRASH'): 'Une erreur technique est survenue pendant la synchronisation.',
    (1005, 'PROVIDER_NOT_SUPPORTED'): 'Cette banque n’est plus prise en charge par l’agrégateur.',
    (1007, 'PROVIDER_UNAVAILABLE'): 'La banque est temporairement indisponible, nouvel essai plus tard.',
}

# scenarios whose every refresh fails with the same status
FAILING: dict[str, tuple[int, str]] = {
    'down': (1003, 'BANK_IS_DOWN'),
    'crash': (1003, 'CNT_CRASH'),
    'unsupported': (1005, 'PROVIDER_NOT_SUPPORTED'),
    'unavailable': (1007, 'PROVIDER_UNAVAILABLE'),
}


@dataclass(frozen=True)
class AccountSpec:
    name: str
    type: str  # checking | savings | loan | card
    profile: str  # personal | business | savings | loan | card: which transactions the generator makes
    pro: bool = False
    has_iban: bool = True


CHECKING = AccountSpec('Compte courant', 'checking', 'personal')
JOINT = AccountSpec('Compte joint', 'checking', 'personal')
LIVRET_A = AccountSpec('Livret A', 'savings', 'savings')
CARD = AccountSpec('Carte Visa Premier', 'card', 'card', has_iban=False)
LOAN = AccountSpec('Prêt immobilier', 'loan', 'loan')
PRO = AccountSpec('Compte professionnel', 'checking', 'business', pro=True)
PRO_SAVINGS = AccountSpec('Compte sur livret professionnel', 'savings', 'savings', pro=True)

ACCOUNTS: dict[str, tuple[AccountSpec, ...]] = {
    'pro': (CHECKING, PRO, PRO_SAVINGS),
    'many': (CHECKING, JOINT, LIVRET_A, CARD, LOAN),
}


@dataclass(frozen=True)
class Outcome:
    status: int
    info: str | None
    success: bool  # True: the bank answered and the data moves forward (even with 1100, or 1010 after a first sync)


class ItemState(Protocol):
    scenario: str
    last_try_refresh: datetime | None
    consent_at: datetime
    sca_renewed: bool
    secret_renewed: bool
    pro_validated: bool
    bank_action_done: bool


def scenario_of(identifiant: str) -> str:
    """`demo`, `demo-2`, `pro.sarl` … : the part before the first `-` or `.`; anything unknown behaves like demo."""
    head = re.split(r'[-.]', identifiant.strip().casefold(), maxsplit=1)[0]
    return head if head in SCENARIOS else 'demo'


def account_specs(scenario: str) -> tuple[AccountSpec, ...]:
    return ACCOUNTS.get(scenario, (CHECKING, LIVRET_A))


def history_days(scenario: str) -> int:
    return 730 if scenario == 'many' else 90


def needs_otp(scenario: str, provider_otp: bool) -> bool:
    return provider_otp or scenario == 'otp'


def consent_expires_at(consent_at: datetime) -> datetime:
    return consent_at + timedelta(days=CONSENT_DAYS)


def describe(status: int, info: str | None) -> str | None:
    return DESCRIPTIONS.get((status, info)) or DESCRIPTIONS.get((status, None))


def refresh_outcome(item: ItemState, now: datetime) -> Outcome:
    """What a refresh of this item ends with, given its scenario and what the user has fixed so far."""
    first = item.last_try_refresh is None
    if now >= consent_expires_at(item.consent_at):
        return Outcome(1010, 'SCA_REQUIRED', False)
    if item.scenario in FAILING:
        return Outcome(*FAILING[item.scenario], False)
    if item.scenario == 'tos' and not item.bank_action_done:
        return Outcome(429, 'TOS_TO_VALIDATE', False)  # until the user accepts them on the bank's website
    if item.scenario == 'pro':
        return Outcome(0, None, True) if item.pro_validated else Outcome(1100, 'PRO_ACCOUNTS_TO_VALIDATE', True)
    if item.scenario == 'sca' and not item.sca_renewed:
        return Outcome(1010, 'SCA_REQUIRED', first)  # the first sync brings the data, then the bank asks for SCA
    if item.scenario == 'pwd' and not (first or item.secret_renewed):
        return Outcome(402, 'WRONG_PWD', False)
    if item.scenario == 'renewal' and not item.secret_renewed:
        return Outcome(429, 'PWD_RENEWAL', False)
    return Outcome(0, None, True)


def fix_kind(status: int, info: str | None) -> str:
    """Which hosted page fixes an item: `pro` validation, a new secret `code`, or strong authentication `sca`."""
    if status == 1100:
        return 'pro'
    if status == 402 or (status == 429 and info == 'PWD_RENEWAL'):
        return 'code'
    return 'sca'
