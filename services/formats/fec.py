"""The FEC (« fichier des écritures comptables », LPF art. L. 47 A, A. 47 A-1; BOI-CF-IOR-60-40-20): writer, reader.

What the texts ask, and what this module decides where they leave a choice:
- a flat file, one record per journal line, fields separated by one unique character: the tabulation (A. 47 A-1
  allows the tabulation or « | »; a tab never occurs in our cleaned text, « | » may in a bank label);
- the first record names the fields (BOI-CF-IOR-60-40-20 § 10): the 18 fields of A. 47 A-1 for BIC/IS bookkeeping,
  in their order, ``FIELDS`` below;
- records « séparés par le caractère de contrôle Retour chariot et/ou Fin de ligne » (A. 47 A-1): CRLF *between*
  records, none after the last one, as Odoo's FEC writer does because an empty line at the end of the file was
  badly received by the administration (the comment of its ``_csv_write_rows``);
- characters: A. 47 A-1 names ASCII, ISO 8859-15 or EBCDIC, and nothing else. UTF-8 is not in the text, even if
  some tools read it: we write **ISO-8859-15** (Latin-9: it has « € », « œ », accented capitals). A character
  outside Latin-9 (’ “ ” – … from typed labels) is replaced by its nearest Latin-9 spelling, never dropped silently;
- numbers in characters, base 10, decimal sign the comma (A. 47 A-1): ``1234,56``, two decimals, no thousands
  separator, « - » in front when negative; dates ``AAAAMMJJ`` without separator;
- what may be blank (« à blanc si non utilisé »): CompAuxNum, CompAuxLib, EcritureLet, DateLet, Montantdevise,
  Idevise. Every other field is filled;
- tabs, CR, LF and other control characters inside a text become spaces, so a label cannot break a record.

``read_fec`` reads such a file back (tab or « | », CRLF/LF/CR, ISO-8859-15 or UTF-8 with or without BOM) as one
dict per record, strings as written; ``parse_amount`` and ``parse_day`` turn the two typed kinds back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from services.formats.model import FormatError

FIELDS = (
    'JournalCode',
    'JournalLib',
    'EcritureNum',
    'EcritureDate',
    'CompteNum',
    'CompteLib',
    'CompAuxNum',
    'CompAuxLib',
    'PieceRef',
    'PieceDate',
    'EcritureLib',
    'Debit',
    'Credit',
    'EcritureLet',
    'DateLet',
    'ValidDate',
    'Montantdevise',
    'Idevise',
)
ENCODING = 'iso-8859-15'
SEPARATOR = '\t'
RECORD_END = '\r\n'
MEDIA_TYPE = 'text/plain; charset=iso-8859-15'

# C0 and C1 controls, DEL and the Unicode line separators: each would cut or blur a record.
_CONTROLS = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029]')
_TYPOGRAPHY = {
    '‘': "'",
    '’': "'",
    '‚': "'",
    '′': "'",
    '“': '"',
    '”': '"',
    '„': '"',
    '‐': '-',
    '‑': '-',
    '–': '-',
    '—': '-',
    '−': '-',
    '…': '...',
    'Ł': 'L',
    'ł': 'l',
    '•': '-',
    '\u2009': ' ',
    '\u202f': ' ',
    '\u200b': '',
}


@dataclass(frozen=True, kw_only=True)
class FecLine:
    """One record of the FEC, with typed values; ``cells()`` gives its 18 fields as written."""

    journal_code: str
    journal_label: str
    entry_number: int
    entry_date: date
    account_number: str
    account_label: str
    aux_number: str = ''
    aux_label: str = ''
    piece_ref: str
    piece_date: date
    label: str
    debit_cents: int
    credit_cents: int
    lettering: str = ''
    lettering_date: date | None = None
    valid_date: date
    foreign_amount_cents: int | None = None  # in ``currency``, signed: debit > 0, credit < 0
    currency: str = ''

    def cells(self) -> list[str]:
        return [
            clean(self.journal_code),
            clean(self.journal_label),
            str(self.entry_number),
            day_text(self.entry_date),
            clean(self.account_number),
            clean(self.account_label),
            clean(self.aux_number),
            clean(self.aux_label),
            clean(self.piece_ref),
            day_text(self.piece_date),
            clean(self.label),
            amount_text(self.debit_cents),
            amount_text(self.credit_cents),
            clean(self.lettering),
            day_text(self.lettering_date),
            day_text(self.valid_date),
            '' if self.foreign_amount_cents is None else amount_text(self.foreign_amount_cents),
            clean(self.currency),
        ]


@lru_cache(maxsize=65_536)  # journal and account labels repeat on every line of a large file
def clean(text: str | None) -> str:
    """A text zone: controls (tab, CR, LF…) become spaces, so that no label can split a record."""
    return _CONTROLS.sub(' ', text or '').strip()


def amount_text(cents: int) -> str:
    """``1234,56``, ``0,00``, ``-8,50``: decimal comma, no thousands separator (A. 47 A-1)."""
    sign = '-' if cents < 0 else ''
    whole, part = divmod(abs(cents), 100)
    return f'{sign}{whole},{part:02d}'


def day_text(day: date | datetime | None) -> str:
    return f'{day.year:04d}{day.month:02d}{day.day:02d}' if day is not None else ''


@lru_cache(maxsize=4096)
def _latin9(char: str) -> str:
    """The nearest ISO-8859-15 spelling of one character: typography to ASCII, else the letter without its accent."""
    try:
        char.encode(ENCODING)
        return char
    except UnicodeEncodeError:
        pass
    if char in _TYPOGRAPHY:
        return _TYPOGRAPHY[char]
    base = ''.join(c for c in unicodedata.normalize('NFKD', char) if not unicodedata.combining(c))
    try:
        return base.encode(ENCODING).decode(ENCODING) if base else '?'
    except UnicodeEncodeError:
        return '?'


def _encode(document: str) -> bytes:
    try:
        return document.encode(ENCODING)
    except UnicodeEncodeError:  # rare: a typed label with ’ or « – »; only then walk the characters
        return ''.join(map(_latin9, document)).encode(ENCODING)


def write_fec(lines: list[FecLine]) -> bytes:
    """The file: the field names, then one record per line in the order given."""
    records = [SEPARATOR.join(FIELDS), *(SEPARATOR.join(line.cells()) for line in lines)]
    return _encode(RECORD_END.join(records))


def file_name(siren: str, closing: date) -> str:
    """``<SIREN>FEC<AAAAMMJJ>.txt``, the closing date of the period (A. 47 A-1)."""
    return f'{siren}FEC{day_text(closing)}.txt'


def _decode(data: bytes) -> str:
    if data.startswith(b'\xef\xbb\xbf'):
        return data[3:].decode('utf-8')
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode(ENCODING)  # every byte is a character of Latin-9: this cannot fail


def read_fec(data: bytes) -> list[dict[str, str]]:
    """The records of a FEC as ``{field name: text}``, or FormatError naming the line (header is line 1)."""
    records = re.split(r'\r\n|\r|\n', _decode(data))
    while records and not records[-1]:
        records.pop()
    if not records:
        raise FormatError('fichier vide')
    separator = SEPARATOR if SEPARATOR in records[0] else '|'
    names = records[0].split(separator)
    if tuple(names[: len(FIELDS)]) != FIELDS:
        raise FormatError('la première ligne ne nomme pas les 18 zones du FEC dans leur ordre', where='ligne 1')
    rows = []
    for number, record in enumerate(records[1:], start=2):
        cells = record.split(separator)
        if len(cells) != len(names):
            raise FormatError(f'{len(cells)} zones au lieu de {len(names)}', where=f'ligne {number}')
        rows.append(dict(zip(names, cells, strict=True)))
    return rows


def parse_amount(text: str) -> int:
    """``1234,56`` (or ``1234.56``) → cents; FormatError when it is not an amount."""
    match = re.fullmatch(r'(-?)(\d+)(?:[,.](\d{1,2}))?', text.strip())
    if match is None:
        raise FormatError(f'montant illisible « {text} »')
    sign, whole, part = match.groups()
    cents = int(whole) * 100 + int((part or '0').ljust(2, '0'))
    return -cents if sign else cents


def parse_day(text: str) -> date | None:
    """``AAAAMMJJ`` → date; None when blank; FormatError when it is not a date."""
    if not text.strip():
        return None
    try:
        if not re.fullmatch(r'\d{8}', text.strip()):
            raise ValueError
        return datetime.strptime(text.strip(), '%Y%m%d').date()
    except ValueError:
        raise FormatError(f'date illisible « {text} » (AAAAMMJJ attendu)') from None
