"""MT940 / MT942 (SWIFT customer statement / interim report): the mt-940 library's patterns, framed by us.

What the library gets wrong or leaves to us, and what this module (with mt940_statement, _fields, _details) adds:

- ``mt940.parse()`` merges every statement of a file; ``parse_statements()`` splits on ``:20:`` but gives no line
  numbers, raises RuntimeError (its regular expression as the message, also logged in English at ERROR level),
  ValueError or InvalidOperation on a bad field. We split the file on the same rule, keep each field's line, read
  each field with the library's pattern and build its values ourselves: a field that cannot be read is a FormatError
  naming its line, in French, and the library logs nothing. Building the values ourselves also reads a file about
  three times faster than ``mt940.parse()`` (bench/import.py).
- A :61: whose details run over two lines or more (ING's ``/TRCD/…/`` then ``/OCMT/…/``, a bank reference on its own
  line) fails the library's pattern: the first two lines go to the pattern, the others are the entry's details.
- Envelope and header lines (``{1:…}{2:…}{4:``, ``ABNANL2A``, ``940``, ``:940:``, ``0000 01INGBNL2AXXXX00001``,
  ``-``, ``-XXX``, ``-}{5:}``, SOH/ETX bytes) and blank lines are dropped instead of being glued to the previous
  field, even when no trailer ends the previous message; a ``:28C:`` wrapped over two lines is joined again; a tag cut
  after its colon (``:`` then ``86:…``, which the library reads) is read with a warning.
- A customer reference over 16 characters (ASN Bank puts an IBAN there) fails the library's :61: pattern: that field
  is read again with the library's own relaxed pattern (``StatementGLS``), with a warning.
- Without a type code on a :61: the library merges the next :61: into it (one entry lost): each :61: is an entry here.
- An account written ``IBAN`` + currency (ING ``NL…EUR``) or ``BIC/IBAN`` gives its IBAN; a :25: over 35 characters
  (which the library cuts) or a balance amount over 15 digits (which it cuts after 16 characters) is kept whole,
  with a warning.
- A second ``:25:`` in one statement silently replaced the account (betterplace's mistyped :86:): refused in strict
  mode; otherwise the first ``:25:`` stays the account, the second is read as a :86: and a warning says so.
- A :86: after the closing balance is the statement's summary, which the library glues to the last entry; a ``:NS:``
  (Rabobank, Sparkassen, Sberbank non-SWIFT sub-fields) after a :61: gives that entry's details.
- The library's 5.0.0 defaults count a reversal of credit (``RC``) as a credit and a lowercase mark as positive: here
  RC is a debit and RD a credit, as SWIFT says (every betterplace statement then reconciles).
- The :86: forms (German ``?NN``, Dutch ``/TAG/``, Triodos ``>NN``) are read in mt940_details.
- 30 February becomes the 29th (the library's fix), for balances and entry dates, with a warning; a balance
  without currency (``C020315105000,00``, which the library reads as 0 in currency ``105``) is read in the
  statement's currency, with a warning. In lenient mode every such departure from the norm is a warning of its
  statement; in strict mode it is a refusal naming its line.
- MT942 (``:34F:``, ``:13D:``, ``:90D:``/``:90C:``) gives format 'mt942' without balances; its totals are checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import mt940

from services.formats import decode_text
from services.formats.model import FormatError, Statement
from services.formats.mt940_fields import Departures
from services.formats.mt940_statement import Reading

_CONTROL = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')  # SOH/ETX around SWIFT messages, stray NULs
_TAG = re.compile(r'^:(?P<id>\d{2}|NS)(?P<sub>[A-Z])?:')  # the library's own tag pattern, line by line
_KNOWN = {str(key)[:2] for key in mt940.tags.TAG_BY_ID}  # the library's tags: others are text of the field before
_CUT_TAG = re.compile(r'^(?:\d{2}|NS)[A-Z]?:')  # what follows a lone ':' line when a tag was cut after its colon
_ENVELOPE = re.compile(r'^(-(XXX|\}.*)?|\{\d:.*)$')  # end of a SWIFT message, or a block header
_HEADER = re.compile(r'^(?:[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?|\d{3}(?: \d{2})?|0000 \d{2}[A-Z0-9]{8,}|:94[02]:)$')


@dataclass(slots=True)
class Field:
    line: int
    tag: str  # as written: '61', '60F', '28C'
    lines: list[str]


@dataclass(slots=True)
class Block:
    line: int
    fields: list[Field] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)  # departures seen while splitting


def parse(data: bytes, *, strict: bool = False) -> list[Statement]:
    text = _CONTROL.sub('', decode_text(data))
    if not text.strip():
        raise FormatError('fichier vide', where='ligne 1')
    blocks = _split(text)
    if not blocks:
        raise FormatError('aucun relevé MT940/MT942 (champ :20:) dans ce fichier', where='ligne 1')
    return [_read(block, strict=strict) for block in blocks]


def _split(text: str) -> list[Block]:
    """One block per :20:, each field with its line; envelope, header and blank lines left out."""
    blocks: list[Block] = []
    current: Field | None = None
    enveloped = True  # before the first :20: and after a message trailer, loose lines are envelope
    cut = 0  # the line of a lone ':' that may start a tag cut after its colon
    for number, raw in enumerate(text.replace('\r\n', '\n').replace('\r', '\n').split('\n'), 1):
        line = raw.rstrip()
        if line[:1] == '{':
            line = _after_header_block(line)
        if cut and _CUT_TAG.match(line):
            line, number = f':{line}', cut
            if blocks:
                blocks[-1].notes.append((cut, f'étiquette :{line[1:].partition(":")[0]}: coupée après son « : »'))
        elif cut and current is not None and not enveloped:
            current.lines.append(':')
        cut = number if line == ':' else 0
        tag = _TAG.match(line) if line[:1] == ':' and not cut else None
        if tag and tag['id'] in _KNOWN:
            current = _start(blocks, current, number, tag[0][1:-1], line[tag.end() :])
            enveloped = False
        elif cut or not line.strip():
            continue
        elif _ENVELOPE.match(line.strip()):
            enveloped = True
        elif not enveloped and current is not None:
            current.lines.append(line)
    return blocks


def _after_header_block(line: str) -> str:
    """``{1:…}{2:…}{4:`` opens a SWIFT message: its text may start on the same line (``{4::20:…``)."""
    start = line.find('{4:')
    rest = line[start + 3 :] if start >= 0 else ''
    return rest if rest.startswith(':') else line


def _start(blocks: list[Block], current: Field | None, number: int, name: str, value: str) -> Field:
    if name == '20':
        if current is not None:
            while len(current.lines) > 1 and _HEADER.match(current.lines[-1].strip()):
                current.lines.pop()  # the next message's header lines, with no trailer before them
        blocks.append(Block(number))
    elif not blocks:
        raise FormatError(f'champ :{name}: avant le premier :20:', where=f'ligne {number}')
    item = Field(number, name, [value])
    blocks[-1].fields.append(item)
    return item


def _read(block: Block, *, strict: bool) -> Statement:
    departures = Departures(strict=strict)
    for line, reason in block.notes:
        departures.add(line, reason)
    reading = Reading(block.line, departures)
    for item in block.fields:
        reading.field(item.line, item.tag, item.lines)
    statement = reading.statement()
    if strict and statement.warnings:  # what the model adds (a statement that does not reconcile) refuses too
        raise FormatError(statement.warnings[0].rstrip('.'), where=f'ligne {block.line}')
    return statement
