"""CFONB 120 files as banks (and the tools on the way) damage them: decimals, account keys, lengths, line breaks.

Each file is derived from a corpus file by one change; line numbers are those of the derived file.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.formats import FormatError
from services.formats.cfonb120 import parse
from tests.conformance.test_cfonb120 import COMPLEX, summary

PENNYLANE = 'cfonb120/pennylane_example.txt'
CIC = 'cfonb120/silarhi_complex-test.txt'


def lines(raw: bytes) -> list[bytes]:
    return raw.split(b'\n')  # blank lines kept: the line numbers stay the corpus file's


def changed(raw: bytes, number: int, start: int, text: bytes) -> bytes:
    """The file with ``text`` written over line ``number`` (1-based) from position ``start`` (0-based)."""
    all_lines = lines(raw)
    line = all_lines[number - 1]
    all_lines[number - 1] = line[:start] + text + line[start + len(text) :]
    return b'\n'.join(all_lines)


def with_line(raw: bytes, number: int, line: bytes) -> bytes:
    all_lines = lines(raw)
    all_lines[number - 1] = line
    return b'\n'.join(all_lines)


# 1. decimals


@pytest.mark.parametrize('strict', [False, True])
def test_a_header_announcing_three_decimals_for_euros_is_refused_naming_its_line(corpus, strict):
    raw = changed(corpus(PENNYLANE), 1, 19, b'3')
    message = 'ligne 1 : le relevé annonce 3 décimales pour EUR, qui n’en a que 2 : montants ambigus'
    with pytest.raises(FormatError, match=message):
        parse(raw, strict=strict)


def test_a_header_announcing_no_decimals_for_euros_is_refused(corpus):
    with pytest.raises(FormatError, match='ligne 1 : le relevé annonce 0 décimale pour EUR, qui en a 2'):
        parse(changed(corpus(PENNYLANE), 1, 19, b'0'))


def test_a_movement_whose_decimals_differ_from_its_header_is_refused(corpus):
    message = r'ligne 3 : l’opération \(04\) annonce 3 décimales, son relevé \(ligne 1\) 2 : montants ambigus'
    with pytest.raises(FormatError, match=message):
        parse(changed(corpus(PENNYLANE), 3, 19, b'3'))


def test_a_closing_balance_whose_decimals_differ_from_its_header_is_refused(corpus):
    raw = changed(corpus(PENNYLANE), 21, 19, b'1')
    with pytest.raises(FormatError, match=r'ligne 21 : le solde final \(07\) annonce 1 décimale, son relevé'):
        parse(raw)


def test_a_movement_in_another_currency_than_its_header_is_refused(corpus):
    with pytest.raises(FormatError, match=r'ligne 3 : l’opération \(04\) est en USD, son relevé \(ligne 1\) en EUR'):
        parse(changed(corpus(PENNYLANE), 3, 16, b'USD'))


def test_a_currency_without_decimals_is_read_in_whole_units(corpus):
    raw = corpus(PENNYLANE)
    for number in (1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 21):
        raw = changed(raw, number, 16, b'JPY0')
    first, _ = parse(raw)
    assert first.currency == 'JPY'
    assert (first.opening_balance, first.closing_balance) == (Decimal('-19040'), Decimal('-24121'))


def test_blank_decimals_are_assumed_from_the_currency_and_said(corpus):
    (statement,) = parse(corpus('cfonb120/akretion_bank_statement.cfo'))
    assert 'ligne 1 : nombre de décimales absent, 2 supposé' in statement.warnings
    assert statement.opening_balance == Decimal('0.08')


# 2. account keys


@pytest.mark.parametrize('strict', [False, True])
def test_a_movement_of_another_account_number_is_refused_naming_both_lines_and_accounts(corpus, strict):
    raw = changed(corpus(PENNYLANE), 3, 21, b'98765432199')
    message = (
        r'ligne 3 : l’opération \(04\) du compte 98765432199 n’appartient pas au relevé du compte 98765432100 '
        'ouvert ligne 1'
    )
    with pytest.raises(FormatError, match=message):
        parse(raw, strict=strict)


def test_a_closing_balance_of_another_account_number_is_refused(corpus):
    raw = changed(corpus(PENNYLANE), 21, 21, b'11111111111')
    message = r'ligne 21 : le solde final \(07\) du compte 11111111111 n’appartient pas au relevé du compte 98765432100'
    with pytest.raises(FormatError, match=message):
        parse(raw)


def test_a_complement_of_another_account_number_is_refused(corpus):
    with pytest.raises(FormatError, match=r'ligne 4 : le complément \(05\) du compte 11111111111 n’appartient pas'):
        parse(changed(corpus(PENNYLANE), 4, 21, b'11111111111'))


def test_records_on_another_bank_code_of_the_same_account_stay_in_their_statement_with_a_warning(corpus):
    first, _ = parse(corpus(PENNYLANE))
    assert [e.amount for e in first.entries] == [Decimal('-32.21'), Decimal('-10.70'), Decimal('-7.90')]
    assert first.closing_balance == Decimal('-241.21')
    assert first.warnings == [
        'lignes 19 et 21 : code banque 15489 au lieu de 15589 du relevé ouvert ligne 1, pour le même compte '
        '98765432100 : lu dans ce relevé'
    ]


def test_a_movement_on_another_branch_code_of_the_same_account_stays_with_a_warning(corpus):
    first, _ = parse(changed(corpus(PENNYLANE), 3, 11, b'00001'))
    assert len(first.entries) == 3
    assert any(w.startswith('ligne 3 : code guichet 00001 au lieu de 00000') for w in first.warnings)


def test_records_on_another_bank_code_are_refused_in_strict_mode(corpus):
    with pytest.raises(FormatError, match='ligne 2 : code banque 10556 au lieu de 10278'):
        parse(corpus(CIC), strict=True)


# 3. lengths


def length_warnings(statements) -> list[str]:
    return [w for s in statements for w in s.warnings if 'caractères au lieu de 120' in w]


def test_a_record_one_character_short_among_records_of_120_gets_a_warning(corpus):
    raw = corpus(PENNYLANE)
    statements = parse(with_line(raw, 3, lines(raw)[2][:119]))
    assert summary(statements) == summary(parse(raw))
    assert length_warnings(statements) == [
        'ligne 3 : 119 caractères au lieu de 120, sans être rogné de ses blancs finaux : il en manque'
    ]


def test_a_record_one_character_long_with_a_blank_excess_gets_a_warning(corpus):
    raw = corpus(PENNYLANE)
    statements = parse(with_line(raw, 3, lines(raw)[2] + b' '))
    assert length_warnings(statements) == ['ligne 3 : 121 caractères au lieu de 120, les blancs en trop sont ignorés']


def test_a_short_record_ending_in_a_character_in_a_padded_file_gets_a_warning(corpus):
    raw = changed(corpus(PENNYLANE), 16, 104, b'REFERENCE0123456')
    statements = parse(with_line(raw, 16, lines(raw)[15][:119]))
    assert statements[0].entries[1].reference == 'REFERENCE012345'
    assert length_warnings(statements) == [
        'ligne 16 : 119 caractères au lieu de 120, dans un fichier dont les enregistrements en ont 120'
    ]


def test_a_record_of_121_characters_is_refused_in_strict_mode(corpus):
    raw = corpus(PENNYLANE)
    with pytest.raises(FormatError, match='ligne 3 : 121 caractères au lieu de 120'):
        parse(with_line(raw, 3, lines(raw)[2] + b' '), strict=True)


def test_a_file_whose_trailing_spaces_were_trimmed_reads_without_warnings(corpus):
    raw = corpus(PENNYLANE)
    trimmed = b'\n'.join(line.rstrip() for line in lines(raw))
    statements = parse(trimmed)
    assert summary(statements) == summary(parse(raw))
    assert [s.warnings for s in statements] == [s.warnings for s in parse(raw)]


# 4. records without line breaks


def test_records_run_together_read_alike_when_the_file_ends_with_a_line_break(corpus):
    records = [line for line in corpus(CIC).splitlines() if line.strip()]
    flat = b''.join(records[:-1]) + records[-1].rstrip() + b'\r\n'
    statements = parse(flat)
    assert summary(statements) == COMPLEX
    assert not length_warnings(statements)


def test_records_run_together_read_alike_when_the_last_one_lost_its_trailing_spaces(corpus):
    records = [line for line in corpus(CIC).splitlines() if line.strip()]
    flat = b''.join(records[:-1]) + records[-1].rstrip()
    statements = parse(flat)
    assert summary(statements) == COMPLEX
    assert not length_warnings(statements)
