"""The checks the DGFiP's FEC tester (« Test Compta Demat ») makes beyond the 18 columns, on a FEC as it is read.

The tester refuses a file whose entry (EcritureNum) mixes journals, dates or pieces, whose lines carry both a debit
and a credit or neither, whose account number does not start with three digits (the PCG class, group and account),
whose entries do not balance, or that holds an entry dated after the closing date of the period. Relais checks its
own FEC against the same rules before it is handed out, so a firm never learns of a mistake from the tax office.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from services.formats.fec import parse_amount, parse_day

_PCG_NUMBER = re.compile(r'\d{3}')
MAX_REPORTED = 5


def violations(rows: list[dict[str, str]], *, closing: date) -> list[str]:
    """Every rule a FEC's records break, in French, naming the line (the header is line 1); empty when clean."""
    found: list[str] = []
    entries: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for number, row in enumerate(rows, start=2):
        found.extend(f'ligne {number} : {problem}' for problem in _line_problems(row, closing))
        entries[row['EcritureNum']].append((number, row))
    for entry_number, lines in entries.items():
        found.extend(f'écriture {entry_number} : {problem}' for problem in _entry_problems(lines))
    return found


def _line_problems(row: dict[str, str], closing: date) -> list[str]:
    problems = []
    debit, credit = parse_amount(row['Debit'] or '0'), parse_amount(row['Credit'] or '0')
    if debit and credit:
        problems.append('un débit et un crédit sur la même ligne')
    if not debit and not credit:
        problems.append('ni débit ni crédit')
    if debit < 0 or credit < 0:
        problems.append('montant négatif')
    if not _PCG_NUMBER.match(row['CompteNum']):
        problems.append(f'le numéro de compte « {row["CompteNum"]} » ne commence pas par trois chiffres')
    entry_date = parse_day(row['EcritureDate'])
    if entry_date is None:
        problems.append('EcritureDate vide')
    elif entry_date > closing:
        problems.append(f'EcritureDate {row["EcritureDate"]} postérieure à la date de clôture {closing:%Y%m%d}')
    for required in ('JournalCode', 'EcritureNum', 'PieceRef', 'EcritureLib', 'ValidDate'):
        if not row[required].strip():
            problems.append(f'{required} vide')
    return problems


def _entry_problems(lines: list[tuple[int, dict[str, str]]]) -> list[str]:
    problems = []
    for field, what in (('JournalCode', 'journaux'), ('EcritureDate', 'dates'), ('PieceRef', 'pièces')):
        values = sorted({row[field] for _, row in lines})
        if len(values) > 1:
            problems.append(f'plusieurs {what} ({", ".join(values)}) dans une même écriture')
    debit = sum(parse_amount(row['Debit'] or '0') for _, row in lines)
    credit = sum(parse_amount(row['Credit'] or '0') for _, row in lines)
    if debit != credit:
        problems.append(f'déséquilibrée (débit {debit / 100:.2f}, crédit {credit / 100:.2f})'.replace('.', ','))
    return problems


def summary(found: list[str]) -> str:
    """One French sentence for a person: the first problems and how many there are."""
    shown = '; '.join(found[:MAX_REPORTED])
    more = f' (et {len(found) - MAX_REPORTED} autre(s))' if len(found) > MAX_REPORTED else ''
    return f'Le FEC ne passerait pas le contrôle de la DGFiP : {shown}{more}.'
