"""The FEC writer and reader on their own: what a label may hold, the characters of the file, other tools' files."""

from __future__ import annotations

from datetime import date

import pytest

from services.formats import fec
from services.formats.model import FormatError


def a_line(label: str) -> fec.FecLine:
    day = date(2026, 11, 3)
    return fec.FecLine(
        journal_code='BQ1',
        journal_label='Banque n°1',
        entry_number=1,
        entry_date=day,
        account_number='512001',
        account_label='Banque n°1',
        piece_ref='OP1',
        piece_date=day,
        label=label,
        debit_cents=123_456,
        credit_cents=0,
        valid_date=day,
    )


def test_a_tab_or_a_line_break_in_a_label_cannot_split_a_record():
    content = fec.write_fec([a_line('LOYER\tBUREAUX\r\nNOVEMBRE')])
    (record,) = fec.read_fec(content)
    assert record['EcritureLib'] == 'LOYER BUREAUX  NOVEMBRE' and record['Debit'] == '1234,56'


def test_the_file_is_latin_9_and_typography_outside_it_gets_its_nearest_spelling():
    content = fec.write_fec([a_line('Loyer d’octobre – 1\u202f250 € « œuvre » Łódź')])
    assert '€'.encode(fec.ENCODING) in content
    assert content.decode(fec.ENCODING).endswith(
        "Loyer d'octobre - 1 250 € « œuvre » Lódz\t1234,56\t0,00\t\t\t20261103\t\t"
    )


def test_a_fec_of_another_tool_in_utf8_with_pipes_and_line_feeds_reads_too():
    text = (
        '|'.join(fec.FIELDS)
        + '\n'
        + 'AC|Achats|7|20260105|401|Fournisseurs|401ÉDF|Électricité|F1|20260104|Facture|0,00|12,50|||20260106||\n'
    )
    (record,) = fec.read_fec(text.encode('utf-8'))
    assert (record['CompAuxLib'], fec.parse_amount(record['Credit']), fec.parse_day(record['ValidDate'])) == (
        'Électricité',
        1250,
        date(2026, 1, 6),
    )


def test_a_record_with_a_missing_field_is_named_by_its_line():
    content = fec.write_fec([a_line('A'), a_line('B')]).rsplit(b'\t', 1)[0]
    with pytest.raises(FormatError) as refused:
        fec.read_fec(content)
    assert str(refused.value) == 'ligne 3 : 17 zones au lieu de 18'
