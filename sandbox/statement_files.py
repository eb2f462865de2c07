"""The demo bank's daily statement files in CFONB 120 (« relevé de compte 120 caractères »): one 01 (previous
balance), the day's 04 movements with their 05 complements, and one 07 (new balance), every record 120 characters.

Movements are seeded from (IBAN, day), so a day resent after a failure is the same file, byte for byte. Balances
chain from the mandate's first day: the opening balance of day D is the closing balance of day D-1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from random import Random

SIGNS_POSITIVE = '{ABCDEFGHI'
SIGNS_NEGATIVE = '}JKLMNOPQR'
BLANK_INTERNAL = '    '


@dataclass(frozen=True)
class Kind:
    """A kind of movement: label (`{dm}` card date, `{n}` a number, `{month}` MM/YYYY), CFONB interbank code, the
    bank's own internal code, range in euros, counterparty (05 NPY/NBE), 05 LIB detail, how often it is drawn."""

    label: str
    code: str
    internal: str
    low: int
    high: int
    party: tuple[str, str] | None = None
    detail: str | None = None
    weight: int = 1


# weighted so that credits and debits roughly balance: the demo balance neither explodes nor sinks over a year
KINDS: tuple[Kind, ...] = (
    Kind('PRLV SEPA URSSAF', 'B1', '0611', -2600, -350, ('NBE', 'URSSAF ILE DE FRANCE'), 'COTISATIONS {month}'),
    Kind('PRLV SEPA EDF', 'B1', '0611', -220, -45, ('NBE', 'EDF SA'), 'ECHEANCE {n}'),
    Kind('PRLV SEPA ORANGE BUSINESS', 'B1', '0611', -150, -40, None, 'FACTURE {n}'),
    Kind('PRLV SEPA DGFIP TVA', 'B1', '0611', -4200, -600, ('NBE', 'DGFIP'), 'TVA {month}'),
    Kind('VIR SEPA CLIENT DUPONT', '05', '0512', 300, 4000, ('NPY', 'DUPONT ET FILS SARL'), 'FACTURE {n}', 2),
    Kind('VIR SEPA CLIENT MARTIN', '05', '0512', 150, 1800, ('NPY', 'MARTIN CONSEIL'), None, 2),
    Kind('VIR SEPA RECU /DE ACME', '05', '0512', 500, 3800, ('NPY', 'ACME SAS'), 'REGLEMENT {n}'),
    Kind('VIR SEPA LOYER BUREAUX', '18', '0518', -1900, -700, ('NBE', 'SCI LES TILLEULS'), 'LOYER {month}'),
    Kind('VIR SEPA FOURNISSEUR LEROY', '18', '0518', -3200, -180, ('NBE', 'LEROY FOURNITURES'), 'FACT {n}', 2),
    Kind('CB CARREFOUR {dm}', '11', '0711', -180, -6, weight=3),
    Kind('CB TOTALENERGIES {dm}', '11', '0711', -95, -30, weight=2),
    Kind('CB OVH {dm}', '11', '0711', -120, -10),
    Kind('REMISE CHEQUES {n}', '15', '0215', 150, 2500, None, '2 CHEQUES'),
    Kind('CHEQUE {n}', '01', '0101', -900, -50),
    Kind('FRAIS TENUE DE COMPTE', '62', '0862', -15, -15),
    Kind('COMMISSION D INTERVENTION', '62', '0862', -8, -8),
)


@dataclass(frozen=True)
class Movement:
    kind: Kind
    label: str
    cents: int
    value_date: date
    reference: str
    detail: str | None


@lru_cache(maxsize=8192)  # a long catch-up sums every earlier day for each file
def movements(iban: str, day: date) -> tuple[Movement, ...]:
    """The 2 to 6 movements of that account on that day."""
    rng = Random(f'cfonb:{iban}:{day.isoformat()}')
    kinds = rng.choices(KINDS, weights=[kind.weight for kind in KINDS], k=rng.randint(2, 6))
    found = []
    for index, kind in enumerate(kinds):
        number = str(rng.randint(1_000_000, 9_999_999))
        card_day = day - timedelta(days=rng.randint(0, 2))
        values = {'dm': f'{card_day:%d/%m}', 'n': number, 'month': f'{day:%m/%Y}'}
        cents = rng.randint(kind.low * 100, kind.high * 100) if kind.low != kind.high else kind.low * 100
        value_date = day + timedelta(days=1) if kind.code == '15' else day  # a cheque deposit is credited next day
        detail = kind.detail.format(**values) if kind.detail else None
        reference = f'{day:%y%m%d}{index:02d}{rng.randrange(10**8):08d}'
        found.append(Movement(kind, kind.label.format(**values), cents, value_date, reference, detail))
    return tuple(found)


def day_total(iban: str, day: date) -> int:
    return sum(movement.cents for movement in movements(iban, day))


def starting_cents(iban: str) -> int:
    """The balance before the mandate's first day: 5,000 to 50,000 €."""
    return Random(f'cfonb:{iban}:opening').randint(5_000_00, 50_000_00)


def opening_cents(iban: str, first_day: date, day: date) -> int:
    days = (day - first_day).days
    return starting_cents(iban) + sum(day_total(iban, first_day + timedelta(days=n)) for n in range(days))


def amount_zone(cents: int) -> str:
    """13 digits and a sign character carrying the last digit, 2 decimals: -190.40 € is '0000000001904}'."""
    signs = SIGNS_NEGATIVE if cents < 0 else SIGNS_POSITIVE
    return f'{abs(cents) // 10:013d}{signs[abs(cents) % 10]}'


class _Rib:
    def __init__(self, iban: str) -> None:
        self.bank, self.branch, self.account = iban[4:9], iban[9:14], iban[14:25]

    def head(self, kind: str, internal: str = BLANK_INTERNAL) -> str:
        """Columns 1-32: record code, bank, internal code, branch, currency, decimals, blank, account."""
        return f'{kind}{self.bank}{internal}{self.branch}EUR2 {self.account}'

    def balance(self, kind: str, day: date, cents: int) -> str:
        return f'{self.head(kind)}  {day:%d%m%y}{" " * 50}{amount_zone(cents)}{" " * 16}'

    def movement(self, day: date, movement: Movement) -> str:
        kind = movement.kind
        return (
            f'{self.head("04", kind.internal)}{kind.code}{day:%d%m%y}  {movement.value_date:%d%m%y}'
            f'{movement.label[:31]:<31}  0000000  {amount_zone(movement.cents)}{movement.reference:<16.16}'
        )

    def complement(self, day: date, movement: Movement, qualifier: str, text: str) -> str:
        kind = movement.kind
        return f'{self.head("05", kind.internal)}{kind.code}{day:%d%m%y}     {qualifier}{text[:70]:<70}  '


def statement_file(iban: str, first_day: date, day: date) -> bytes:
    """The CFONB 120 file of one account and one completed day (ASCII, CRLF)."""
    rib = _Rib(iban)
    opening = opening_cents(iban, first_day, day)
    lines = [rib.balance('01', day - timedelta(days=1), opening)]
    for movement in movements(iban, day):
        lines.append(rib.movement(day, movement))
        if movement.detail:
            lines.append(rib.complement(day, movement, 'LIB', movement.detail))
        if movement.kind.party:
            lines.append(rib.complement(day, movement, *movement.kind.party))
    lines.append(rib.balance('07', day, opening + day_total(iban, day)))
    if any(len(line) != 120 for line in lines):
        raise AssertionError('a CFONB 120 record must be exactly 120 characters')
    return ('\r\n'.join(lines) + '\r\n').encode('ascii')
