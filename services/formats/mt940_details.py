"""The :86: of an entry (information to the account owner) read into label, counterparty, details and references.

The mt-940 library reads one of the forms banks write: the German ``?NN`` sub-fields, where it glues ``?31`` (the
counterparty's account) to the name and leaves a KREF on top of the :61: reference. It leaves the others as one
string: the Dutch code words ``/TAG/value/`` (ING ``/EREF/…//CNTP/iban/bic/name/city//REMI/USTD//…/``, Rabobank
``/EREF/…/BENM//NAME/…/REMI/…/ISDT/…``, ABN AMRO ``/TRTP/…/IBAN/…/BIC/…/NAME/…/REMI/…/EREF/…``) and Triodos's
``>NN`` sub-fields. All three are read here; anything else is free text, its first line the label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_STRUCTURED = re.compile(r'^(?P<gvc>\d{3})(?=(?P<mark>[?>])\d{2})')
_SUBFIELDS = {'?': re.compile(r'\?(\d{2})'), '>': re.compile(r'>(\d{2})')}
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
_SEPA = re.compile(r'(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP|MDAT|COAM|OAMT|SQTP|ORCR|ORMR|DDAT)\+')
# the code words of ING (MT940 Structured), Rabobank (MT940 Structured), ABN AMRO (SEPA) and Deutsche Bank NL
_CODES = ['EREF', 'PREF', 'MARF', 'CSID', 'CNTP', 'REMI', 'PURP', 'ULTC', 'ULTD', 'ULTB', 'EXCH', 'CHGS', 'OCMT']
_CODES += ['RTRN', 'ATRN', 'BUSP', 'BENM', 'ORDP', 'NAME', 'ADDR', 'IBAN', 'BIC', 'ISDT', 'TRTP', 'SUM', 'TRCD']
_CODES += ['SVCL', 'CREF', 'IREF', 'ID', 'RTYP', 'NRTX']
_CODE_SPLIT = re.compile(r'/(' + '|'.join(_CODES) + r')/')
_PARTIES = ('CNTP', 'BENM', 'ORDP')  # /iban/bic/name/city/ of the counterparty (ING), or empty then /NAME/ (Rabobank)
_IBAN_SHAPE = re.compile(r'^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$')
_BIC_SHAPE = re.compile(r'^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$')
_NO_VALUE = {'', 'NOTPROVIDED', 'NONREF'}

Described = tuple[str, str | None, list[str], dict[str, str]]


def describe(lines: list[str]) -> Described:
    """(label, counterparty, details, references) of the :86: lines of one entry."""
    first = lines[0].lstrip() if lines else ''
    if len(lines) == 1 and not first[:1].isdigit() and first[:1] != '/':
        return ' '.join(first.split()), None, [], {}  # the common one-line free text, without the machinery
    joined = ''.join(lines).strip()  # sub-fields and code words run on over line breaks, often inside a word
    structured = _STRUCTURED.match(joined)
    if structured and structured['mark'] == '>':
        return _triodos(structured['gvc'], _pairs(joined[structured.end() :], '>'))
    if structured:
        return _german(structured['gvc'], _pairs(joined[structured.end() :], '?'))
    if _CODE_SPLIT.match(joined):
        return _dutch(joined)
    kept = [line.strip() for line in lines if line.strip()]
    return (' '.join(kept[0].split()) if kept else ''), None, kept[1:], {}


def non_swift(lines: list[str]) -> list[str]:
    """The lines of a :NS: (Rabobank, Sparkassen, Sberbank…): ``NNtext`` sub-fields, kept as details without NN."""
    texts = (line[2:] if line[:2].isdigit() else line for line in lines)
    return [' '.join(text.split()) for text in texts if text.strip()]


def _pairs(text: str, mark: str) -> list[tuple[str, str]]:
    parts = _SUBFIELDS[mark].split(text)
    return list(zip(parts[1::2], parts[2::2], strict=False))


def _german(gvc: str, pairs: list[tuple[str, str]]) -> Described:
    """``?00`` posting text, ``?20``-``?29`` purpose and its SEPA keywords, ``?30``/``?31`` bank and account,
    ``?32``/``?33`` name: the library glues ``?31`` to the name and keeps the KREF over the :61: reference."""
    references = {'gvc': gvc}
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


def _triodos(gvc: str, pairs: list[tuple[str, str]]) -> Described:
    """Triodos's ``>NN``: ``>20``-``>29`` the description, or BIC, IBAN then name and text; ``>31`` its own account."""
    purpose = [value for key, value in pairs if key in _PURPOSE]
    references = {'gvc': gvc}
    if len(purpose) > 1 and _BIC_SHAPE.match(purpose[0].strip()) and _IBAN_SHAPE.match(purpose[1].strip()):
        references |= {'counterparty_bank': purpose[0].strip(), 'counterparty_iban': purpose[1].strip()}
        purpose = purpose[2:]
    if (prima_nota := next((value.strip() for key, value in pairs if key == '10'), '')).strip('0'):
        references['prima_nota'] = prima_nota
    others = [value.strip() for key, value in pairs if key not in _PURPOSE and key not in {'10', '31'}]
    return _glue(purpose), None, [text for text in others if text], references


def _dutch(text: str) -> Described:
    """The ``/TAG/value`` code words: counterparty, end-to-end reference, remittance text and the rest as references."""
    parts = _CODE_SPLIT.split(text)
    codes: dict[str, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        if not _clean(codes.get(code, '')):  # Rabobank and ABN AMRO repeat /REMI/ at times, the first one empty
            codes[code] = value
    references: dict[str, str] = {}
    name = _party(codes, references)
    label = _remittance(codes.pop('REMI', ''), references)
    kinds = [_clean(codes.pop(code, '')) for code in ('TRTP', 'RTYP', 'BUSP')]
    references |= {code: value for code, raw in codes.items() if (value := _clean(raw)) not in _NO_VALUE}
    details = [kind for kind in kinds if kind]
    label = label or (details.pop(0) if details else '') or name or ' '.join(text.split())
    return label, name or None, details, references


def _party(codes: dict[str, str], references: dict[str, str]) -> str:
    """The counterparty from /CNTP/ (or /BENM/, /ORDP/): account/bic/name/city, then /NAME/, /IBAN/, /BIC/, /ADDR/."""
    account = bic = name = city = ''
    for code in _PARTIES:
        if code in codes:
            account, bic, name, city = ([_clean(field) for field in codes.pop(code).split('/')] + [''] * 4)[:4]
    account = _clean(codes.pop('IBAN', '')) or account
    bic = _clean(codes.pop('BIC', '')) or bic
    name = _clean(codes.pop('NAME', '')) or name
    address = _clean(codes.pop('ADDR', ''))
    key = 'counterparty_iban' if _IBAN_SHAPE.match(account) else 'counterparty_account'
    found = {key: account, 'counterparty_bank': bic, 'counterparty_city': city, 'counterparty_address': address}
    references |= {key: value for key, value in found.items() if value}
    return name


def _remittance(value: str, references: dict[str, str]) -> str:
    """ING's /REMI/USTD//free text/ or /REMI/STRD/CUR/creditor reference/; Rabobank's and ABN AMRO's /REMI/text."""
    kind, _, rest = value.partition('/')
    if kind == 'STRD':
        reference = _clean(rest.strip('/').partition('/')[2] or rest)
        if reference:
            references['creditor_reference'] = reference
        return reference
    return _clean(rest if kind == 'USTD' else value)


def _clean(value: str) -> str:
    return ' '.join(value.strip('/ ').split())


def _glue(values: Iterable[str]) -> str:
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
