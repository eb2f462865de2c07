"""The camt reader's XML side: a streaming parse that never holds more than a few hundred entries, DTDs refused, and
each entry read in one pass into a *record* of paths by local name, so that ``camt.py`` reads every namespace
(camt.053.001.02 to .10, prefixed or not) with the same paths.

Why our own: a 170 MB statement file parsed whole takes 2 GB, and lxml's ``find`` or ElementPath cost about 2 µs a
call, a dozen calls an entry, more than the parse itself. lxml's ``iterparse`` hands over each ``Ntry`` once it is
complete (those of the 256 KB it has just parsed); it is read into a record and then deleted from the tree, so memory
stays flat whatever the file's size.

A record maps the path of each element with no children (names joined by ``/``) to its values in document order:
``{'Amt': [('12.50', 'EUR')], 'BookgDt/Dt': ['2026-03-12'], 'NtryDtls': [{'TxDtls': [{…}, {…}]}]}``. A value is the
stripped text (None when blank), an amount is ``(stripped text, Ccy)``, a Max140Text line (``Ustrd``,
``AddtlRmtInf``) keeps its text as written ('' when empty), since a full line continues verbatim; a *block*
(``NtryDtls``, ``TxDtls``, ``Strd``, ``Bal``), whose parts must not mix with its siblings', is a record of its own;
an element with children has no value of its own, its leaves do.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from typing import Any

from lxml import etree

from services.formats.model import FormatError

Record = dict[str, list[Any]]
BLOCKS = frozenset({'NtryDtls', 'TxDtls', 'Strd', 'Bal'})
AMOUNTS = frozenset({'Amt', 'TtlAmt'})
LINES = frozenset({'Ustrd', 'AddtlRmtInf'})
# a report's header is read without its entries (each is read on its own), and nobody reads these subtrees
SKIPPED = frozenset(
    {
        *('Ntry', 'FrToDt', 'Ownr', 'Svcr', 'RltdAcct', 'Intrst', 'TxsSummry', 'CdtLine', 'Avlbty', 'Chrgs'),
        *('TechInptChanl', 'CardTx', 'AddtlInfInd', 'CcyXchg', 'AnncdPstngAmt', 'PrtryAmt', 'PstlAdr', 'CtctDtls'),
        *('DbtrAcct', 'CdtrAcct', 'UltmtDbtr', 'UltmtCdtr', 'RltdAgts', 'Purp', 'RltdRmtInf', 'RltdDts', 'RltdPric'),
        *('RltdQties', 'FinInstrmId', 'Tax', 'RtrInf', 'CorpActn', 'SfkpgAcct', 'CshDpst', 'SplmtryData'),
        *('RfrdDocInf', 'RfrdDocAmt', 'Invcr', 'Invcee', 'TaxRmt', 'GrnshmtRmt'),
    }
)
_PARTIES = ('Dbtr/', 'Cdtr/', 'Pty/')  # a party's Id (organisation, person) is not read, an account's is
_TEXT, _LINE, _AMOUNT, _BLOCK, _SKIP = range(5)
DTD_REFUSED = 'DTD ou entités XML refusées par sécurité (un relevé camt n’en déclare pas)'
_ROOT_START = re.compile(rb'<[^?!]')
_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
_CAMT_NAMESPACE = re.compile(
    rb"""(?<=\s)xmlns[ \t]*=[ \t]*(["'])urn:iso:std:iso:20022:tech:xsd:camt\.05[234]\.[0-9.]+\1"""
)
_DTD = re.compile(rb'<!DOCTYPE|<!ENTITY')
# libxml2's reasons, in French; any other is a syntax error
_REASONS = {
    'ERR_TAG_NAME_MISMATCH': 'balise fermante qui ne correspond pas',
    'ERR_DOCUMENT_EMPTY': 'fichier vide ou tronqué',
    'ERR_INTERNAL_ERROR': 'fichier vide ou tronqué',
    'ERR_TAG_NOT_FINISHED': 'fichier vide ou tronqué',
    'ERR_DOCUMENT_END': 'contenu après la fin du document',
    'NS_ERR_UNDEFINED_NAMESPACE': 'préfixe d’espace de noms non déclaré',
    'ERR_UNDECLARED_ENTITY': 'entité XML inconnue',
    'WAR_UNDECLARED_ENTITY': 'entité XML inconnue',
    'ERR_INVALID_CHAR': 'caractère interdit en XML',
    'ERR_INVALID_ENCODING': 'octets invalides pour l’encodage déclaré',
    'ERR_UNSUPPORTED_ENCODING': 'encodage de caractères non pris en charge',
    'ERR_RESERVED_XML_NAME': 'déclaration XML mal placée',
    'ERR_XMLDECL_NOT_FINISHED': 'déclaration XML mal formée',
    'ERR_ATTRIBUTE_REDEFINED': 'attribut répété',
}
_OPTIONS = {
    'resolve_entities': False,
    'no_network': True,
    'load_dtd': False,
    'remove_comments': True,
    'remove_pis': True,
    # blank texts between elements are dropped: fewer nodes; a text of spaces only may then read as empty, which
    # the reader takes as the same (it strips every text)
    'remove_blank_text': True,
    'chunk_size': 1 << 18,
}


def _refuse_dtd(root: etree._Element | None) -> None:
    info = root.getroottree().docinfo if root is not None else None
    if info is not None and (info.doctype or info.internalDTD is not None or info.system_url or info.public_id):
        raise FormatError(DTD_REFUSED)


def _syntax_error(context: etree.iterparse, error: etree.XMLSyntaxError) -> FormatError:
    # the exception is sometimes a consequence ('no element found' after an unknown entity): the log has the cause
    first = next(iter(context.error_log), None)
    kind, line = (first.type_name, first.line) if first is not None else ('', error.lineno)
    reason = _REASONS.get(kind, 'caractère ou balise invalide')
    return FormatError(f'XML mal formé : {reason}', where=f'ligne {line}' if line else None)


def _source(data: bytes) -> io.RawIOBase | io.BytesIO:
    """What the parser reads: the file, less the root's declaration of the camt namespace as its default one.

    Why: the reader goes by local names, and an element in no namespace costs lxml a fifth less to name (its tag is
    ``Amt``, not ``{urn:iso:std:iso:20022:tech:xsd:camt.053.001.02}Amt``), a tenth of a statement's reading. Only that
    one attribute of the root's start tag goes: a prefixed file, a wrapped one or one in an encoding that is not
    ASCII-compatible is read as it is, with the same names. Lines, and so the line of an error, are unchanged."""
    root = _ROOT_START.search(data)
    if _DTD.search(data, 0, root.start() if root else len(data)):
        raise FormatError(DTD_REFUSED)  # at once, before a byte of the body is parsed
    tag = _START_TAG.match(data, root.start()) if root else None
    declaration = _CAMT_NAMESPACE.search(data, tag.start(), tag.end()) if tag else None
    if declaration is None:
        return io.BytesIO(data)
    return _Without(data, declaration.start(), declaration.end())


class _Without(io.RawIOBase):
    """The bytes of a file but one span, read in chunks: no copy of a file of 170 MB."""

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self._parts = [memoryview(data)[:start], memoryview(data)[end:]]

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while self._parts and not self._parts[0]:
            self._parts.pop(0)
        if not self._parts:
            return b''
        part = self._parts[0]
        size = len(part) if size is None or size < 0 else size
        self._parts[0] = part[size:]
        return bytes(part[:size])


def stream(data: bytes, reports: Mapping[str, str]) -> Iterator[tuple[str, etree._Element]]:
    """('message', element) for the first element named as a key of ``reports``, then ('report', element) when each
    of its reports (children named by its value) opens, ('entry', element) for each of a report's ``Ntry`` once
    complete, ('end', element) when the report closes. An entry and a report are deleted from the tree when the caller
    asks for the next event; FormatError for what cannot be parsed."""
    tags = [f'{{*}}{name}' for name in {*reports, *reports.values(), 'Ntry'}]
    context = etree.iterparse(_source(data), events=('start', 'end'), tag=tags, **_OPTIONS)
    message = report = name = None
    try:
        for event, element in context:
            if message is None:
                _refuse_dtd(element)  # the prolog is behind us: a DTD in any encoding is known by now
                if event == 'start' and local(element.tag) in reports:
                    message, name = element, reports[local(element.tag)]
                    yield 'message', element
            elif event == 'start':
                if element.getparent() is message and local(element.tag) == name:
                    report = element
                    yield 'report', element
            elif element is report:
                yield 'end', element
                report = None
                element.clear()
                message.remove(element)
            elif report is not None and element.getparent() is report and local(element.tag) == 'Ntry':
                yield 'entry', element
                element.clear()
                report.remove(element)
        _refuse_dtd(context.root)
    except etree.XMLSyntaxError as error:
        raise _syntax_error(context, error) from None
    except (ValueError, LookupError) as error:  # an encoding libxml2 cannot read
        raise FormatError(f'encodage de caractères illisible ({error})') from None


def local(tag: str) -> str:
    return tag.rpartition('}')[2]


class Reader:
    """Reads elements into records, learning each tag once: its local name, its path and what kind of node it is."""

    __slots__ = ('_entry', '_header')

    def __init__(self) -> None:
        self._entry: dict[Any, tuple[str, int, Any, str]] = {}  # the tries of an entry's paths and a report's
        self._header: dict[Any, tuple[str, int, Any, str]] = {}

    def entry(self, element: etree._Element) -> Record:
        """The record of an ``Ntry``'s descendants."""
        found: Record = {}
        _walk(element, self._entry, found)
        return found

    def header(self, report: etree._Element) -> Record:
        """The record of a report's children but its entries (which the parser may already hold, unread)."""
        found: Record = {}
        trie = self._header
        for child in report:
            path, kind, sub_trie, sub_prefix = trie.get(child.tag) or _learn(trie, '', child.tag)
            if kind == _SKIP:
                continue
            if kind == _BLOCK:
                found.setdefault(path, []).append(block := {})
                _walk(child, sub_trie, block)
            elif len(child):
                _walk(child, sub_trie, found, sub_prefix)
            else:
                found.setdefault(path, []).append(_value(child, kind))
        return found


def _learn(trie: dict, prefix: str, tag: Any) -> tuple[str, int, Any, str]:
    if tag.__class__ is not str:  # an entity reference or a comment left in the tree
        return _SKIPPED
    name = local(tag)
    if name in SKIPPED or (name == 'Id' and prefix.endswith(_PARTIES)):
        learnt = trie[tag] = _SKIPPED
        return learnt
    kind = _BLOCK if name in BLOCKS else _AMOUNT if name in AMOUNTS else _LINE if name in LINES else _TEXT
    path = prefix + name
    learnt = trie[tag] = (path, kind, {}, '' if kind == _BLOCK else f'{path}/')
    return learnt


def _value(element: etree._Element, kind: int) -> Any:
    text = element.text
    if kind == _TEXT:
        return (text.strip() or None) if text else None
    return text or '' if kind == _LINE else ((text or '').strip(), element.get('Ccy'))


class _Skipping:
    """The trie below a skipped element: its descendants are skipped too."""

    __slots__ = ()

    def get(self, tag: Any) -> tuple[str, int, Any, str]:
        return _SKIPPED


_SKIPPED = ('', _SKIP, _Skipping(), '')


def _walk(element: etree._Element, trie: Any, found: Record, prefix: str = '') -> None:
    # the reader's hot loop, a score of elements an entry: lxml's iter walks the subtree in C, in document order, and
    # the count of children left to each open element tells when it closes; one dictionary look-up an element gives
    # its path and kind
    opened: list[tuple[Any, str, Record, int]] = []
    record, left = found, len(element)
    descendants = element.iter()
    next(descendants)  # the element itself
    for child in descendants:
        while not left:
            trie, prefix, record, left = opened.pop()
        left -= 1
        path, kind, sub_trie, sub_prefix = trie.get(child.tag) or _learn(trie, prefix, child.tag)
        count = len(child)
        if kind == _SKIP:
            if count:
                opened.append((trie, prefix, record, left))
                trie, left = sub_trie, count
            continue
        if kind == _BLOCK:
            value: Any = {}
        elif count:
            opened.append((trie, prefix, record, left))
            trie, prefix, left = sub_trie, sub_prefix, count
            continue
        else:  # what _value gives, inline: the loop runs a score of times an entry
            text = child.text
            if kind == _TEXT:
                value = (text.strip() or None) if text else None
            else:
                value = text or '' if kind == _LINE else ((text or '').strip(), child.get('Ccy'))
        values = record.get(path)
        if values is None:
            record[path] = [value]
        else:
            values.append(value)
        if kind == _BLOCK and count:
            opened.append((trie, prefix, record, left))
            trie, prefix, record, left = sub_trie, '', value, count
