"""The FEC's rows for a spreadsheet: CSV as French Excel opens it, and XLSX (openpyxl).

Both keep the 18 columns of the FEC, in its order and with its names, so that what the firm checks in Excel is what
the tax office would read. Differences are those of the medium: CSV dates are ``22/11/2026`` and amounts ``1234,56``
(French Excel reads both as such); XLSX cells hold real dates and numbers. A label typed by a client or sent by a bank
must stay text: a CSV cell starting with = + - @ gets the apostrophe of services.audit_journal; an XLSX text cell is
stored as a string with Excel's « quote prefix », never as a formula.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from services.audit_journal import spreadsheet_text  # one neutralisation for every CSV of Relais
from services.formats.fec import FIELDS, FecLine, clean

CSV_MEDIA_TYPE = 'text/csv; charset=utf-8'
XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
SHEET_TITLE = 'Écritures'
AMOUNT_FORMAT = '#,##0.00'
DAY_FORMAT = 'DD/MM/YYYY'
MAX_WIDTH = 60

Value = str | int | date | Decimal | None


def _amount(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def typed(line: FecLine) -> list[Value]:
    """The 18 values of a record with their types: text, the entry number, dates, amounts in euros."""
    return [
        clean(line.journal_code),
        clean(line.journal_label),
        line.entry_number,
        line.entry_date,
        clean(line.account_number),
        clean(line.account_label),
        clean(line.aux_number),
        clean(line.aux_label),
        clean(line.piece_ref),
        line.piece_date,
        clean(line.label),
        _amount(line.debit_cents),
        _amount(line.credit_cents),
        clean(line.lettering),
        line.lettering_date,
        line.valid_date,
        _amount(line.foreign_amount_cents),
        clean(line.currency),
    ]


def _csv_cell(value: Value) -> str:
    if value is None:
        return ''
    if isinstance(value, Decimal):
        return f'{value:.2f}'.replace('.', ',')
    if isinstance(value, date):
        return value.strftime('%d/%m/%Y')
    if isinstance(value, int):
        return str(value)
    return spreadsheet_text(value)


def write_csv(lines: list[FecLine]) -> bytes:
    """UTF-8 with BOM, ';' between cells, CRLF: what French Excel opens with accents and columns right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=';')
    writer.writerow(FIELDS)
    for line in lines:
        writer.writerow([_csv_cell(value) for value in typed(line)])
    return buffer.getvalue().encode('utf-8-sig')


def _width(value: Value) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    if isinstance(value, Decimal):
        return len(f'{value:,.2f}')
    return len(str(value))


def _xlsx_value(sheet, value: Value) -> Value | WriteOnlyCell:
    """Plain values where Excel needs nothing more; a styled cell for dates, amounts and formula-like text."""
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = AMOUNT_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DAY_FORMAT
        return cell
    if value == '':
        return None
    if isinstance(value, str) and (value.startswith('=') or value.startswith('#')):
        # openpyxl would store '=…' as a formula and '#N/A' as an error: a bank label is neither
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = 's'
        cell.quotePrefix = True
        return cell
    return value


def write_xlsx(lines: list[FecLine]) -> bytes:
    """One sheet « Écritures »: bold frozen header, real dates, amounts as numbers, columns sized to their content."""
    rows = [typed(line) for line in lines]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    for index, name in enumerate(FIELDS):
        widest = max([len(name), *(_width(row[index]) for row in rows)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(widest + 2, MAX_WIDTH)
    sheet.freeze_panes = 'A2'
    bold = Font(bold=True)
    header = []
    for name in FIELDS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
