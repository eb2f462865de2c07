"""MT940 / MT942 (SWIFT customer statement / interim report): the mt-940 library reads the fields, we frame them.

What the library gets wrong or leaves to us, and what this module adds:

- ``mt940.parse()`` merges every statement of a file; ``parse_statements()`` splits on ``:20:`` but gives no line
  numbers and raises RuntimeError, ValueError or InvalidOperation on a bad field. We split the file on the same
  rule, keep each field's line and feed the fields one at a time to a ``mt940.models.Transactions`` per statement:
  an unreadable field is a FormatError naming its line, in French.
- Envelope lines (``ABNANL2A``, ``940``, ``{1:…}{4:``, ``-``, ``-XXX``, ``-}{5:}``, SOH/ETX bytes) and blank lines are
  dropped instead of being glued to the previous field; a ``:28C:`` wrapped over two lines is joined again.
- A customer reference over 16 characters (ASN Bank puts an IBAN there) fails the library's ``:61:`` pattern: that
  field is read again with the library's own relaxed pattern (``StatementGLS``).
- A ``:61:`` without a type code makes the library merge the next ``:61:`` into it (one entry lost): every entry
  gets a code, so each ``:61:`` stays an entry.
- A second ``:25:`` in one statement silently replaced the account (betterplace's mistyped ``:86:``): refused in
  strict mode; otherwise the first ``:25:`` stays the account, the second is read as a ``:86:`` and a warning says so.
- A ``:86:`` after the closing balance is the statement's summary, which the library glues to the last entry.
- The library defaults to its 5.0.0 behaviour: a reversal of credit (``RC``) counted as a credit, a lowercase mark
  as positive, ``:86:`` cut after 585 characters. We switch its fixes on; with ``RC`` as a debit, every betterplace
  statement reconciles.
- The German structured ``:86:`` (``?00`` posting text, ``?20``-``?29`` purpose, ``?30``/``?31`` counterparty bank and
  account, ``?32``/``?33`` name, SEPA keywords ``EREF+``, ``SVWZ+``…) is read here: the library glues ``?31`` to the
  name and leaves a KREF on top of the ``:61:`` reference.
- 30 February becomes the 29th (the library's own fix for ``:61:``), for balances and entry dates too.
- MT942 (``:34F:``, ``:13D:``, ``:90D:``/``:90C:``) gives format 'mt942' without balances; its totals are checked.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import mt940
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from services.formats import decode_text
from services.formats.model import AccountId, Entry, FormatError, Statement

_CONTROL = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')  # SOH/ETX around SWIFT messages, stray NULs
_TAG = re.compile(r'^:(?P<id>\d{2}|NS)(?P<sub>[A-Z])?:')  # the library's own tag pattern, line by line
_KNOWN = {str(key)[:2] for key in mt940.tags.TAG_BY_ID}
_ENVELOPE = re.compile(r'^(-(XXX|\}.*)?|\{\d:.*)$')  # end of a SWIFT message, or a block header
_JOINED = {'20', '21', '25', '28'}  # one-value fields: a line break inside is the sender's wrapping
_CLOSING = {'62', '64', '65'}
_NO_CODE = '\x00'  # stands for a missing :61: type code while the library reads the statement
_SEPA = re.compile(r'(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP|MDAT|COAM|OAMT|SQTP|ORCR|ORMR|DDAT)\+')
_STRUCTURED = re.compile(r'^(?P<gvc>\d{3})(?=\?\d{2})')
_SUBFIELD_REFERENCES = {
    '10': 'prima_nota',
    '30': 'counterparty_bank',
    '31': 'counterparty_account',
    '34': 'return_reason',
    '38': 'counterparty_iban',
}
_PURPOSE = {f'2{digit}' for digit in range(10)} | {'60', '61', '62', '63'}
_READ_SUBFIELDS = {'00', '32', '33', *_SUBFIELD_REFERENCES, *_PURPOSE}
_SUBFIELD_WIDTH = 27  # ?20..?33 are cut every 27 characters, often inside a word


def _clamp_february(transactions: Any, tag: Any, tag_dict: dict[str, Any], *args: Any) -> dict[str, Any]:
    """The library's 30 February fix, for the :61: entry date (MMDD, year of the value date)."""
    if tag_dict.get('entry_month') == '02' and str(tag_dict.get('entry_day') or '').isdigit():
        last = calendar.monthrange(2000 + int(tag_dict['year']), 2)[1]
        tag_dict['entry_day'] = str(min(int(tag_dict['entry_day']), last))
    return tag_dict


def _keep_entries_apart(transactions: Any, tag: Any, tag_dict: dict[str, Any], result: dict[str, Any]) -> dict:
    """The library opens a new entry only when the previous :61: has a type code: give every :61: one."""
    result['id'] = result.get('id') or _NO_CODE
    return result


class _Statement(mt940.tags.Statement):
    """:61: as the library reads it, else with a customer reference of any length (ASN Bank, GLS)."""

    relaxed = mt940.tags.StatementGLS()

    def parse(self, transactions: Any, value: str) -> dict[str, str | None]:
        match = self.re.match(value)
        return match.groupdict() if match else self.relaxed.parse(transactions, value)


_OPTIONS = mt940.Options.all()
_FIX_DATE = [mt940.processors.date_fixup_pre_processor]
_BALANCES = ('', 'final_', 'intermediate_')
_PROCESSORS = {f'pre_{kind}{way}_balance': _FIX_DATE for kind in _BALANCES for way in ('opening', 'closing')} | {
    'pre_available_balance': _FIX_DATE,
    'pre_forward_available_balance': _FIX_DATE,
    'pre_statement': [*_FIX_DATE, _clamp_february],
    'post_statement': [*mt940.models.Transactions.DEFAULT_PROCESSORS['post_statement'], _keep_entries_apart],
    'post_transaction_details': [],  # the raw :86: text, read below
}
_TAGS = {61: _Statement()}


@dataclass
class _Field:
    line: int
    tag: str  # as written: '61', '60F', '28C'
    lines: list[str]

    @property
    def text(self) -> str:
        return ('' if self.tag[:2] in _JOINED else '\n').join(self.lines)


@dataclass
class _Block:
    line: int
    fields: list[_Field] = field(default_factory=list)


def parse(data: bytes, *, strict: bool = False) -> list[Statement]:
    text = _CONTROL.sub('', decode_text(data))
    if not text.strip():
        raise FormatError('fichier vide', where='ligne 1')
    blocks = _split(text)
    if not blocks:
        raise FormatError('aucun relevé MT940/MT942 (champ :20:) dans ce fichier', where='ligne 1')
    return [_read(block, strict=strict) for block in blocks]


def _split(text: str) -> list[_Block]:
    """One block per :20:, each field with its line; envelope, header and blank lines left out."""
    blocks: list[_Block] = []
    enveloped = True  # before the first :20: and after a message trailer, loose lines are envelope
    for number, raw in enumerate(re.split(r'\r\n|\r|\n', text), 1):
        line = raw.rstrip()
        tag = _TAG.match(line)
        if tag and tag['id'] in _KNOWN:
            name = tag[0][1:-1]
            if tag['id'] == '20':
                blocks.append(_Block(number))
            elif not blocks:
                raise FormatError(f'champ :{name}: avant le premier :20:', where=f'ligne {number}')
            blocks[-1].fields.append(_Field(number, name, [line[tag.end() :]]))
            enveloped = False
        elif _ENVELOPE.match(line.strip()):
            enveloped = True
        elif line.strip() and not enveloped:
            blocks[-1].fields[-1].lines.append(line)
    return blocks


def _read(block: _Block, *, strict: bool) -> Statement:
    transactions = mt940.models.Transactions(processors=_PROCESSORS, tags=_TAGS, options=_OPTIONS)
    warnings: list[str] = []
    seen: set[str] = set()
    for item in block.fields:
        kind = item.tag[:2]
        if kind == '25' and '25' in seen:
            reason = 'second champ :25: dans le même relevé (un :86: mal saisi ?)'
            if strict:
                raise FormatError(reason, where=f'ligne {item.line}')
            warnings.append(f'ligne {item.line} : {reason} ; lu comme un :86:, le compte reste celui du premier :25:.')
            item, kind = _Field(item.line, '86', item.lines), '86'
        if kind == '86' and seen & _CLOSING:
            continue  # the statement's own summary, not a detail of its last entry
        seen.add(kind)
        try:
            transactions.parse(f':{item.tag}:{item.text}')
        except Exception:  # the library raises whatever its patterns and the Decimal/date constructors raise
            excerpt = item.lines[0][:40]
            raise FormatError(f'champ :{item.tag}: illisible « {excerpt} »', where=f'ligne {item.line}') from None
    return _statement(transactions, block, warnings, interim=bool(seen & {'13', '34'}), strict=strict)


def _statement(transactions: Any, block: _Block, warnings: list[str], *, interim: bool, strict: bool) -> Statement:
    data, where = transactions.data, f'ligne {block.line}'
    number = (data.get('account_identification') or '').strip()
    if not number:
        raise FormatError('relevé sans compte (:25:)', where=where)
    if not transactions.currency:
        raise FormatError('relevé sans devise (ni solde :60F:/:62F: ni :34F:)', where=where)
    opening = _balance(data, 'final_opening_balance', 'intermediate_opening_balance', 'opening_balance')
    closing = _balance(data, 'final_closing_balance', 'intermediate_closing_balance', 'closing_balance')
    statement = Statement(
        format='mt942' if interim else 'mt940',
        account=AccountId(iban=_iban(number), number=number),
        currency=transactions.currency,
        opening_balance=opening.amount.amount if opening else None,
        opening_date=_day(opening.date) if opening else None,
        closing_balance=closing.amount.amount if closing else None,
        closing_date=_day(closing.date) if closing else None,
        entries=[_entry(transaction.data) for transaction in transactions.transactions],
        warnings=warnings,
    )
    if not interim and (opening is None or closing is None):
        reason = 'relevé sans solde ' + ('initial (:60F:)' if opening is None else 'final (:62F:)')
        if strict:
            raise FormatError(reason, where=where)
        warnings.append(f'{where} : {reason}.')
    warnings.extend(_check_totals(data, statement.entries))
    statement.check_balances()
    return statement


def _balance(data: dict[str, Any], *keys: str) -> Any:
    return next((data[key] for key in keys if data.get(key) is not None), None)


def _day(value: date) -> date:
    return date(value.year, value.month, value.day)  # the library's Date subclass, as a plain date


def _iban(account: str) -> str | None:
    try:
        return str(IBAN(re.sub(r'\s', '', account)))
    except (SchwiftyException, ValueError):
        return None


def _check_totals(data: dict[str, Any], entries: list[Entry]) -> list[str]:
    """MT942 announces its debit and credit totals (:90D:/:90C:); a file that disagrees with itself says so."""
    warnings = []
    for key, tag, wanted in (('sum_debit_entries', '90D', -1), ('sum_credit_entries', '90C', 1)):
        announced = data.get(key)
        if announced is None:
            continue
        amounts = [entry.amount for entry in entries if entry.amount * wanted > 0]
        read = sum(amounts, Decimal('0'))
        if (int(announced.number or 0), abs(announced.amount)) != (len(amounts), abs(read)):
            warnings.append(
                f'Total annoncé par :{tag}: ({announced.number} pour {abs(announced.amount)}) '
                f'≠ opérations lues ({len(amounts)} pour {abs(read)}).'
            )
    return warnings


def _entry(data: dict[str, Any]) -> Entry:
    value_date = _day(data['date'])
    label, counterparty, details, references = _describe(data.get('transaction_details') or '')
    extra = (data.get('extra_details') or '').strip()
    if extra and extra != label:
        details.insert(0, extra)
    if (data.get('bank_reference') or '').strip():
        references['bank'] = data['bank_reference'].strip()
    reference = (data.get('customer_reference') or '').strip()
    code = (data.get('id') or '').strip()
    return Entry(
        booking_date=_day(data['entry_date']) if data.get('entry_date') else value_date,
        amount=data['amount'].amount,
        label=label or extra,
        value_date=value_date,
        details=details,
        reference=None if reference.upper() in {'', 'NONREF'} else reference,  # NONREF says there is none
        counterparty=counterparty,
        references=references,
        code=None if code in {'', _NO_CODE} else code,
    )


def _describe(text: str) -> tuple[str, str | None, list[str], dict[str, str]]:
    """(label, counterparty, details, references) of a :86:, free text or the German ``?NN`` sub-fields."""
    joined = ''.join(text.splitlines()).strip()  # a sub-field runs on over line breaks, often inside a word
    structured = _STRUCTURED.match(joined)
    if not structured:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return (' '.join(lines[0].split()) if lines else ''), None, lines[1:], {}
    parts = re.split(r'\?(\d{2})', joined[structured.end() :])
    pairs = list(zip(parts[1::2], parts[2::2], strict=False))
    references = {'gvc': structured['gvc']}
    references |= {name: value.strip() for key, value in pairs if (name := _SUBFIELD_REFERENCES.get(key))}
    references = {name: value for name, value in references.items() if value}
    posting = _glue(value for key, value in pairs if key == '00')
    purpose = _glue(value for key, value in pairs if key in _PURPOSE)
    lead, keywords = _sepa(purpose)
    references |= {key: value for key, value in keywords.items() if key != 'SVWZ'}
    label = keywords.get('SVWZ') or lead or posting or purpose
    others = [value.strip() for key, value in pairs if key not in _READ_SUBFIELDS]
    details = [text for text in (posting, *others) if text and text != label]
    return label, _glue(value for key, value in pairs if key in {'32', '33'}) or None, details, references


def _glue(values: Any) -> str:
    """Sub-fields joined back: a full 27-character one was cut inside a word, a shorter one ended a word."""
    text, previous = '', ''
    for value in values:
        text += (' ' if text and len(previous) < _SUBFIELD_WIDTH else '') + value
        previous = value
    return ' '.join(text.split())


def _sepa(purpose: str) -> tuple[str, dict[str, str]]:
    """The text before the first SEPA keyword, and each keyword's value (EREF+…, SVWZ+…)."""
    parts = _SEPA.split(purpose)
    keywords: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=False):
        keywords[key] = f'{keywords[key]} {value.strip()}' if key in keywords else value.strip()
    return parts[0].strip(), {key: value for key, value in keywords.items() if value}
