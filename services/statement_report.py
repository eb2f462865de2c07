"""What ``relais parse`` prints: a statement file summed up, without a database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from services import outbound
from services.formats import FormatError, Statement, parse_file


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f'{value:f}'


def _in_places_of(total: Decimal, balance: Decimal | None) -> Decimal:
    """The sum written with the decimals of the account's amounts: an empty day sums to 0.00, not 0."""
    places = balance.as_tuple().exponent if balance is not None else -2
    return total.quantize(Decimal(1).scaleb(places)) if total.as_tuple().exponent > places else total


def statement_summary(statement: Statement) -> dict:
    return {
        'format': statement.format,
        'account': statement.account.display(),
        'iban': statement.iban,
        'currency': statement.currency,
        'opening_balance': _amount(statement.opening_balance),
        'opening_date': statement.opening_date.isoformat() if statement.opening_date else None,
        'closing_balance': _amount(statement.closing_balance),
        'closing_date': statement.closing_date.isoformat() if statement.closing_date else None,
        'entries': len(statement.entries),
        'sum': _amount(_in_places_of(statement.total, statement.closing_balance or statement.opening_balance)),
        'reconciles': statement.reconciles,
        'warnings': list(statement.warnings),
    }


def file_report(path: Path, *, strict: bool = False) -> dict:
    """{"file", "statements", "errors"}: the errors say why a file could not be read (then no statement)."""
    try:
        statements = parse_file(path.read_bytes(), strict=strict)
    except FormatError as error:
        return {'file': str(path), 'statements': [], 'errors': [str(error)]}
    except OSError as error:
        return {'file': str(path), 'statements': [], 'errors': [f'fichier illisible : {outbound.file_sentence(error)}']}
    return {'file': str(path), 'statements': [statement_summary(s) for s in statements], 'errors': []}


def text_lines(report: dict) -> list[str]:
    lines = [report['file']]
    for s in report['statements']:
        balance = f'{s["opening_balance"]} ({s["opening_date"]}) → {s["closing_balance"]} ({s["closing_date"]})'
        check = {True: 'rapproché', False: 'NON rapproché', None: 'sans soldes'}[s['reconciles']]
        lines.append(
            f'  {s["format"]} {s["iban"] or s["account"]} {s["currency"]} {balance}, '
            f'{s["entries"]} opérations, somme {s["sum"]}, {check}'
        )
        lines.extend(f'    ! {warning}' for warning in s['warnings'])
    return lines
