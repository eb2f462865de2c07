"""Deterministic demo bank data: French IBANs, and the bank transactions of each account key and day.

Everything is seeded from the account key (its IBAN) and the day, so the same bank account shows the same
operations whatever the item, the process or the order of the calls. Amounts are integer cents."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from random import Random

Template = tuple[str, str, int, int, str, int | None]  # label, clean label, min €, max €, operation_type, category

PERSONAL: tuple[tuple[Template, int], ...] = (
    (('CB CARREFOUR {date}', 'Carrefour', -180, -5, 'card', 273), 6),
    (('CB AMAZON EU {date}', 'Amazon', -120, -8, 'card', 186), 4),
    (('CARTE SNCF {date}', 'SNCF', -130, -15, 'card', 197), 2),
    (('CB BOULANGERIE PAUL {date}', 'Boulangerie Paul', -15, -2, 'card', 273), 4),
    (('CB TOTALENERGIES {date}', 'TotalEnergies', -90, -30, 'card', 87), 2),
    (('CB PHARMACIE DU MARCHE {date}', 'Pharmacie du Marché', -45, -4, 'card', 245), 1),
    (('RETRAIT DAB {date}', 'Retrait d’espèces', -100, -20, 'other', 85), 2),
    (('PRLV SEPA ORANGE', 'Orange', -60, -20, 'direct_debit', 217), 1),
    (('VIR SEPA RECU /DE CPAM', 'CPAM', 10, 80, 'transfer', 245), 1),
    (('VIR SEPA RECU /DE ACME', 'Acme', 100, 900, 'transfer', 230), 1),
    (('REMISE CHEQUE {n}', 'Remise de chèque', 50, 600, 'check', None), 1),
    (('CHEQUE {n}', 'Chèque', -300, -20, 'check', None), 1),
)
BUSINESS: tuple[tuple[Template, int], ...] = (
    (('VIR SEPA RECU /DE DURAND SARL FACT {n}', 'Durand SARL', 300, 6000, 'transfer', 230), 4),
    (('VIR SEPA RECU /DE ACME', 'Acme', 500, 4000, 'transfer', 230), 2),
    (('VIR SEPA EMIS /A FOURNITURES MARTIN', 'Fournitures Martin', -3000, -200, 'transfer', 275), 2),
    (('CB METRO {date}', 'Metro', -400, -20, 'card', 273), 2),
    (('CB OVH {date}', 'OVHcloud', -120, -10, 'card', 186), 1),
    (('CB AMAZON EU {date}', 'Amazon', -250, -10, 'card', 186), 2),
    (('CARTE SNCF {date}', 'SNCF', -180, -25, 'card', 197), 1),
    (('PRLV SEPA ORANGE BUSINESS', 'Orange Business', -150, -40, 'direct_debit', 217), 1),
    (('REMISE CHEQUE {n}', 'Remise de chèque', 100, 2500, 'check', None), 1),
    (('COMMISSION D INTERVENTION', 'Commission d’intervention', -8, -8, 'bank_fees', 79), 1),
)
CARD: tuple[tuple[Template, int], ...] = tuple((entry, weight) for entry, weight in PERSONAL if entry[4] == 'card')
PICKS = {'personal': PERSONAL, 'business': BUSINESS, 'card': CARD}
OPENING = {'personal': (800, 6000), 'business': (8000, 40000), 'savings': (1000, 15000), 'loan': (-250000, -90000)}


@dataclass(frozen=True)
class BankTx:
    index: int
    label: str
    clean: str
    cents: int
    op_type: str
    category_id: int | None
    minute: int  # minutes after midnight (UTC) when the operation appears, pending
    doomed: bool  # the bank withdraws it 3 days after booking


def rib_key(bank: str, branch: str, account: str) -> str:
    return f'{97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97:02d}'


def french_iban(bank: str, branch: str, account: str) -> str:
    bban = f'{bank}{branch}{account}{rib_key(bank, branch, account)}'
    check = 98 - int(f'{bban}152700') % 97  # F=15, R=27, then 00
    return f'FR{check:02d}{bban}'


def account_iban(bank_code: str, provider_id: int, identifiant: str, index: int) -> str:
    rng = Random(f'iban:{provider_id}:{identifiant.strip().casefold()}:{index}')
    return french_iban(bank_code, f'{rng.randrange(100000):05d}', f'{rng.randrange(10**11):011d}')


def is_business_day(day: date) -> bool:
    return day.weekday() < 5


def business_day_from(year: int, month: int, day_of_month: int) -> date:
    """The first business day on or after that day of the month (or the last one of the month)."""
    last = calendar.monthrange(year, month)[1]
    day = date(year, month, min(day_of_month, last))
    while not is_business_day(day) and day.day < last:
        day += timedelta(days=1)
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def last_business_day(year: int, month: int) -> date:
    day = date(year, month, calendar.monthrange(year, month)[1])
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def _fixed_kinds(profile: str, day: date) -> list[str]:
    """The monthly operations falling on that day (calendar only, no amounts)."""
    y, m = day.year, day.month
    rules = {
        'personal': [
            (business_day_from(y, m, 1), 'rent'),
            (business_day_from(y, m, 1), 'fees'),
            (business_day_from(y, m, 10), 'edf'),
            (last_business_day(y, m), 'salary'),
        ],
        'business': [
            (business_day_from(y, m, 1), 'urssaf'),
            (business_day_from(y, m, 1), 'fees_pro'),
            (business_day_from(y, m, 15), 'vat'),
            (last_business_day(y, m), 'payroll'),
        ],
        'card': [(business_day_from(y, m, 1), 'card_statement')],
        'savings': [(business_day_from(y, m, 3), 'saving')],
        'loan': [(business_day_from(y, m, 5), 'repayment')],
    }
    return [kind for when, kind in rules.get(profile, []) if when == day]


# monthly operations: label, clean label, operation_type, category; then (same every month?, low, high, unit in cents)
MONTHLY: dict[str, tuple[str, str, str, int | None]] = {
    'rent': ('VIR SEPA EMIS /A LOYER', 'Loyer', 'transfer', 180),
    'fees': ('FRAIS TENUE DE COMPTE', 'Frais de tenue de compte', 'bank_fees', 79),
    'edf': ('PRLV SEPA EDF', 'EDF', 'direct_debit', 217),
    'salary': ('VIR SEPA RECU /DE ACME SALAIRE', 'Acme (salaire)', 'transfer', 230),
    'urssaf': ('PRLV SEPA URSSAF', 'URSSAF', 'direct_debit', 159),
    'fees_pro': ('FRAIS TENUE DE COMPTE', 'Frais de tenue de compte', 'bank_fees', 79),
    'vat': ('PRLV SEPA DGFIP TVA', 'DGFiP (TVA)', 'direct_debit', 159),
    'payroll': ('VIR SEPA EMIS /A SALAIRES', 'Salaires', 'transfer', 230),
    'saving': ('VIR SEPA RECU /DE COMPTE COURANT', 'Versement épargne', 'transfer', None),
    'repayment': ('ECHEANCE PRET IMMOBILIER', 'Échéance de prêt', 'transfer', 180),
}
MONTHLY_AMOUNTS: dict[str, tuple[bool, int, int, int]] = {
    'rent': (True, -1200, -650, 100),
    'fees': (True, -800, -250, 1),
    'edf': (False, -16000, -4000, 1),
    'salary': (True, 230000, 340000, 1),
    'urssaf': (False, -300000, -80000, 1),
    'fees_pro': (True, -3000, -1500, 1),
    'vat': (False, -400000, -50000, 1),
    'payroll': (False, -800000, -300000, 1),
    'saving': (False, 5, 30, 1000),
    'repayment': (True, 700, 1400, 100),
}


def _fixed(key: str, kind: str, day: date, rng: Random) -> tuple[str, str, int, str, int | None]:
    """label, clean label, cents, operation_type, category of one monthly operation."""
    if kind == 'card_statement':
        previous = day.replace(day=1) - timedelta(days=1)
        total = -sum(_month_card_spend(key, previous.year, previous.month))
        return f'RELEVE CARTE {previous:%m/%y}', 'Relevé carte différé', total, 'other', None
    label, clean, op_type, category = MONTHLY[kind]
    constant, low, high, unit = MONTHLY_AMOUNTS[kind]
    cents = (Random(f'{key}:{kind}') if constant else rng).randint(low, high) * unit
    return label, clean, cents, op_type, category


@lru_cache(maxsize=50_000)
def _day_picks(key: str, profile: str, day: date) -> tuple[tuple[str, str, int, str, int | None, bool], ...]:
    """The everyday operations of a business day: 2 to 4 operations in all, monthly ones included."""
    if profile not in PICKS or not is_business_day(day):
        return ()
    rng = Random(f'{key}:{day.isoformat()}')
    count = max(0, rng.randint(2, 4) - len(_fixed_kinds(profile, day)))
    templates = PICKS[profile]
    picks = []
    for template, *_ in rng.choices(templates, weights=[weight for _, weight in templates], k=count):
        label, clean, low, high, op_type, category = template
        cents = rng.randint(low * 100, high * 100) if low != high else low * 100
        if 'RETRAIT' in label:
            cents = cents // 1000 * 1000 or -2000
        text = label.format(date=f'{day:%d/%m}', n=rng.randint(1000000, 9999999))
        picks.append((text, clean, cents, op_type, category, rng.random() < 1 / 60))
    return tuple(picks)


def _month_card_spend(key: str, year: int, month: int) -> list[int]:
    days = (date(year, month, number) for number in range(1, calendar.monthrange(year, month)[1] + 1))
    return [pick[2] for day in days for pick in _day_picks(key, 'card', day) if not pick[5]]


@lru_cache(maxsize=50_000)
def day_transactions(key: str, profile: str, day: date) -> tuple[BankTx, ...]:
    """Every operation of the account on that day, in the order they appear."""
    if not is_business_day(day):
        return ()
    rng = Random(f'{key}:{day.isoformat()}:fixed')
    entries = [(*_fixed(key, kind, day, rng), False) for kind in _fixed_kinds(profile, day)]
    entries += list(_day_picks(key, profile, day))
    minutes = sorted(rng.sample(range(7 * 60, 21 * 60), len(entries)))
    return tuple(
        BankTx(index, *entry[:5], minute=minute, doomed=entry[5])
        for index, (entry, minute) in enumerate(zip(entries, minutes, strict=True))
    )


def opening_cents(key: str, profile: str) -> int:
    low, high = OPENING.get(profile, (0, 0))
    return Random(f'{key}:opening').randint(low, high) * 100
