"""The DGFiP tester's rules on a FEC, beyond its columns: Relais's own export passes them, and each broken rule is
named with its line or entry."""

from __future__ import annotations

from datetime import date

import pytest

from services.formats import fec, fec_rules
from services.permissions import Actor
from tests.unit.test_fec_export import CLOSING, export_fec, validated_world

DAY = date(2026, 11, 3)


def line(number: int = 1, *, account: str = '512001', debit: int = 0, credit: int = 0, **changes) -> fec.FecLine:
    values = dict(
        journal_code='BQ1',
        journal_label='Banque n°1',
        entry_number=number,
        entry_date=DAY,
        account_number=account,
        account_label='Banque',
        piece_ref=f'REL{number}',
        piece_date=DAY,
        label='PRLV EDF',
        debit_cents=debit,
        credit_cents=credit,
        valid_date=DAY,
    )
    values.update(changes)
    return fec.FecLine(**values)


def problems(*lines: fec.FecLine, closing: date = CLOSING) -> list[str]:
    return fec_rules.violations(fec.read_fec(fec.write_fec(list(lines))), closing=closing)


def balanced(number: int = 1, **changes) -> list[fec.FecLine]:
    return [line(number, account='606100', debit=4200), line(number, credit=4200, **changes)]


def test_a_balanced_entry_of_one_journal_date_and_piece_passes() -> None:
    assert problems(*balanced()) == []


def test_an_entry_over_two_journals_is_named() -> None:
    assert problems(*balanced(journal_code='BQ2')) == [
        'écriture 1 : plusieurs journaux (BQ1, BQ2) dans une même écriture'
    ]


def test_an_entry_over_two_dates_is_named() -> None:
    found = problems(*balanced(entry_date=date(2026, 11, 4)))
    assert found == ['écriture 1 : plusieurs dates (20261103, 20261104) dans une même écriture']


def test_an_entry_over_two_pieces_is_named() -> None:
    assert problems(*balanced(piece_ref='REL9')) == [
        'écriture 1 : plusieurs pièces (REL1, REL9) dans une même écriture'
    ]


def test_a_line_with_both_a_debit_and_a_credit_is_refused() -> None:
    found = problems(line(account='606100', debit=100, credit=100))
    assert found == ['ligne 2 : un débit et un crédit sur la même ligne']


def test_a_line_with_neither_debit_nor_credit_is_refused() -> None:
    assert 'ligne 4 : ni débit ni crédit' in problems(*balanced(), line(account='445660'))


def test_an_account_number_that_does_not_start_with_three_digits_is_refused() -> None:
    found = problems(line(account='EDF401', debit=4200), line(credit=4200))
    assert found == ['ligne 2 : le numéro de compte « EDF401 » ne commence pas par trois chiffres']


def test_an_entry_after_the_closing_date_is_refused() -> None:
    found = problems(*balanced(), closing=date(2026, 10, 31))
    assert found[0] == 'ligne 2 : EcritureDate 20261103 postérieure à la date de clôture 20261031'


def test_an_unbalanced_entry_is_refused() -> None:
    found = problems(line(account='606100', debit=4200), line(credit=4100))
    assert found == ['écriture 1 : déséquilibrée (débit 42,00, crédit 41,00)']


@pytest.mark.parametrize('count', [1, 12])
def test_the_fec_relais_exports_passes_every_rule(admin: Actor, count: int) -> None:
    world, _ = validated_world(admin, count)
    exported = export_fec(admin, world)
    assert fec_rules.violations(fec.read_fec(exported.content), closing=CLOSING) == []


def test_the_summary_names_the_first_problems_and_counts_the_rest() -> None:
    found = [f'ligne {n} : ni débit ni crédit' for n in range(2, 10)]
    sentence = fec_rules.summary(found)
    assert sentence.startswith('Le FEC ne passerait pas le contrôle de la DGFiP : ligne 2 : ni débit ni crédit;')
    assert sentence.endswith('(et 3 autre(s)).')
