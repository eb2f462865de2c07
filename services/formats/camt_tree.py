"""The camt reader's XML side: the parse (lxml, or defusedxml when a file could declare entities) and lookups by
local name, so that ``camt.py`` reads every namespace (camt.053.001.02 to .10, prefixed or not) with the same paths.

Lookups index an element's children by local name (the tag without its ``{namespace}``) the first time the reader
looks into it, and keep that index while the reader holds the element: one pass over the children then answers
every path through them. Dropping the namespaces by setting ``.tag`` on every element, or lxml's ``find``, cost
more than lxml's whole parse (about 30 µs an entry, and 2 µs a call).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from lxml import etree as lxml_etree

from services.formats.model import FormatError

_DTD = re.compile(rb'<!DOCTYPE|<!ENTITY')
_LXML = lxml_etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)
_EXPAT = {
    'mismatched tag': 'balise fermante qui ne correspond pas',
    'not well-formed (invalid token)': 'caractère ou balise invalide',
    'no element found': 'fichier vide ou tronqué',
    'junk after document element': 'contenu après la fin du document',
    'unbound prefix': 'préfixe d’espace de noms non déclaré',
    'unclosed token': 'balise non fermée',
    'undefined entity': 'entité XML inconnue',
    'XML declaration not well-formed': 'déclaration XML mal formée',
}
_NONE: Sequence[Element] = ()
_STEPS: dict[str, list[str]] = {}  # the reader's paths, split once (a fixed set of literals)


def _tree(data: bytes) -> Element:
    """Only a DTD can declare entities. A file that has one, or whose prolog could hide one from a byte search (an
    encoding that is not ASCII-compatible), goes through defusedxml, which refuses it. Any other file cannot declare
    an entity and is read by lxml (entities unresolved, no network), ten times faster than ElementTree on a 150 MB
    statement file; a file lxml finds malformed goes through defusedxml too, for expat's line and reason."""
    plain = data.removeprefix(b'\xef\xbb\xbf').lstrip(b' \t\r\n')
    if plain.startswith(b'<') and not _DTD.search(data):
        try:
            return lxml_etree.fromstring(data, _LXML)
        except lxml_etree.XMLSyntaxError:
            pass
    return fromstring(data, forbid_dtd=True)


def document(data: bytes) -> Element:
    """The parsed document, namespaces kept (lookups ignore them); FormatError in French for what cannot be parsed."""
    try:
        return _tree(data)
    except ParseError as error:
        reason = re.sub(r': line \d+, column \d+$', '', str(error))
        where = f'ligne {error.position[0]}' if getattr(error, 'position', None) else None
        raise FormatError(f'XML mal formé : {_EXPAT.get(reason, reason)}', where=where) from None
    except DefusedXmlException:
        raise FormatError('DTD ou entités XML refusées par sécurité (un relevé camt n’en déclare pas)') from None
    except (ValueError, LookupError) as error:  # an encoding expat cannot read
        raise FormatError(f'encodage de caractères illisible ({error})') from None


def local(tag: str) -> str:
    return tag.rpartition('}')[2]


def descendants(element: Element, *names: str) -> Iterator[Element]:
    """``element`` and its descendants whose local name is one of ``names``, in document order."""
    if isinstance(element, lxml_etree._Element):  # lxml matches '{*}name' in any namespace or none, in C
        return element.iter(*(f'{{*}}{name}' for name in names))
    return (node for node in element.iter() if local(node.tag) in names)  # ElementTree keeps no comments nor PIs


class Tree:
    """Children by local name, each element's indexed on the first look into it and kept until ``forget``."""

    __slots__ = ('_index', '_local')

    def __init__(self) -> None:
        self._index: dict[Element, dict[str, list[Element]]] = {}
        self._local: dict[str, str] = {}  # tag -> local name: hashing a tag costs half of cutting it

    def forget(self) -> None:
        """Drops the indexes, and with them the elements they hold (the reader calls it for each entry)."""
        self._index.clear()

    def kids(self, element: Element) -> dict[str, list[Element]]:
        """The children of ``element`` by local name, each list in document order."""
        index = self._index.get(element)  # an lxml element stays the same object while the index holds it
        if index is not None:
            return index
        index = self._index[element] = {}
        names = self._local
        for child in element[:]:
            tag = child.tag
            if tag.__class__ is not str:  # an lxml processing instruction (comments are not parsed)
                continue
            name = names.get(tag)
            if name is None:
                name = names[tag] = local(tag)
            found = index.get(name)
            if found is None:
                index[name] = [child]
            else:
                found.append(child)
        return index

    def all(self, element: Element | None, path: str) -> Sequence[Element]:
        """ElementPath's ``findall(path)`` for a path of child names, by local name."""
        if element is None:
            return _NONE
        steps = _STEPS.get(path) or _STEPS.setdefault(path, path.split('/'))
        found: Sequence[Element] = self.kids(element).get(steps[0], _NONE)
        for name in steps[1:]:
            found = [child for parent in found for child in self.kids(parent).get(name, _NONE)]
        return found

    def find(self, element: Element | None, path: str) -> Element | None:
        """ElementPath's ``find(path)``: the first of ``findall(path)`` in document order."""
        found = self.all(element, path)
        return found[0] if found else None

    def text(self, element: Element | None, path: str) -> str | None:
        """The stripped text of ``find(path)``, None when it is absent or blank."""
        found = self.all(element, path)
        return ((found[0].text or '').strip() or None) if found else None
