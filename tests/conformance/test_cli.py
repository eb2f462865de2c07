"""`relais parse`: the statements of any file, without a database, as text or JSON, and exit codes a script can use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import CORPUS

RELAIS = Path(sys.executable).with_name('relais')


def relais(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RELAIS), *args], capture_output=True, text=True, timeout=120, env={'PATH': '/usr/bin'})


def test_parse_json_gives_one_object_per_file_with_amounts_as_strings(corpus):
    corpus('cfonb120/pennylane_example.txt')  # skips without the corpus
    done = relais('parse', '--json', str(CORPUS / 'cfonb120/pennylane_example.txt'))
    assert done.returncode == 0, done.stderr
    (report,) = [json.loads(line) for line in done.stdout.splitlines()]
    first = report['statements'][0]
    assert report['errors'] == [] and len(report['statements']) == 2
    assert first == {
        'format': 'cfonb120',
        'account': '15589 00000 98765432100',
        'iban': 'FR7615589000009876543210088',
        'currency': 'EUR',
        'opening_balance': '-190.40',
        'opening_date': '2019-05-15',
        'closing_balance': '-241.21',
        'closing_date': '2019-05-16',
        'entries': 3,
        'sum': '-50.81',
        'reconciles': True,
        'warnings': [  # the 04 and the 07 of the bank code 15489 inside the statement of 15589: read, and said
            'lignes 19 et 21 : code banque 15489 au lieu de 15589 du relevé ouvert ligne 1, pour le même compte '
            '98765432100 : lu dans ce relevé'
        ],
    }


def test_a_statement_that_does_not_reconcile_is_read_with_a_warning_and_exit_0(corpus):
    corpus('cfonb120/akretion_bank_statement.cfo')
    done = relais('parse', '--json', str(CORPUS / 'cfonb120/akretion_bank_statement.cfo'))
    (statement,) = json.loads(done.stdout)['statements']
    assert done.returncode == 0 and statement['reconciles'] is False and statement['sum'] == '-2000.00'
    assert any('ne se rapproche pas' in warning for warning in statement['warnings'])


def test_an_iban_that_cannot_be_derived_is_null(corpus):
    corpus('mt940/wolph_jejik_ing.sta')
    done = relais('parse', '--json', str(CORPUS / 'mt940/wolph_jejik_ing.sta'))
    (statement,) = json.loads(done.stdout)['statements']
    assert statement['iban'] is None and statement['account'] == '0001234567'


def test_a_file_that_is_not_a_statement_exits_2_with_one_line_and_no_traceback(tmp_path: Path):
    letter = tmp_path / 'courrier.txt'
    letter.write_text('Bonjour, voici notre courrier.\n')
    done = relais('parse', str(letter))
    assert done.returncode == 2
    assert done.stderr.count('\n') == 1 and 'Traceback' not in done.stderr
    assert 'n’est pas un relevé bancaire reconnu' in done.stderr


def test_strict_mode_refuses_what_lenient_mode_reads(corpus):
    corpus('cfonb120/silarhi_non-strict-test.txt')
    path = str(CORPUS / 'cfonb120/silarhi_non-strict-test.txt')
    assert relais('parse', path).returncode == 0
    strict = relais('parse', '--strict', '--json', path)
    assert strict.returncode == 2 and json.loads(strict.stdout)['errors'][0].startswith('ligne 2 : code banque 10556')


def test_a_mixed_batch_reads_every_format_and_reports_the_broken_file(corpus):
    names = [
        'cfonb120/silarhi_complex-test.txt',
        'mt940/wolph_cmxl_mt940.sta',
        'ofx/ofxparse_bank_medium.ofx',
        'cfonb120/pennylane_invalid_date.txt',
    ]
    for name in names:
        corpus(name)
    done = relais('parse', '--json', *(str(CORPUS / name) for name in names))
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 2
    assert [len(r['statements']) for r in reports] == [8, 3, 1, 0]
    assert reports[3]['errors'] == ['ligne 1 : date de l’ancien solde illisible « CART »']
