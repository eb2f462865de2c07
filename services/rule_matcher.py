"""Which rule, first by priority, matches an entry: fast enough for 200 rules over 50,000 entries.

Trying every rule on every entry costs 200 calls per entry that no rule matches. Most rules need a piece of text in
the label (the words of « le libellé contient », a counterparty, the literal part of a regular expression): such a
rule can only match an entry whose search key holds that text, so it is indexed under one three-letter piece of it
without a space (its rarest). Such a piece lies inside one word of the key: an entry tries the rules indexed under
the pieces of its words (worked out once per distinct word, and words repeat from one bank line to the next), plus
the rules that need no text, in priority order. The index only skips rules that cannot match: the answer is the
one of the plain loop.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from re import _parser as regex_parser  # the standard parser: the literal text a regular expression requires

from services.counterparty import counterparty_of
from services.text import search_key

GRAM = 3


class Subject:
    """An entry as rules see it; the counterparty is read from the label only if a rule asks for it."""

    __slots__ = ('_counterparty', 'amount_cents', 'key', 'label')

    def __init__(self, label: str, amount_cents: int) -> None:
        self.label, self.amount_cents, self.key, self._counterparty = label, amount_cents, search_key(label), None

    @property
    def counterparty(self) -> str:
        if self._counterparty is None:
            self._counterparty = counterparty_of(self.label)
        return self._counterparty


@dataclass(frozen=True)
class Conditions:
    direction: str | None = None
    min_cents: int | None = None
    max_cents: int | None = None
    label_contains: str | None = None
    counterparty: str | None = None
    label_pattern: str | None = None


def predicate(c: Conditions) -> Callable[[Subject], bool]:
    """One function holding every condition, cheapest first."""
    sign = {'debit': -1, 'credit': 1}.get(c.direction or '', 0)
    low, high = c.min_cents, c.max_cents
    needle = search_key(c.label_contains) if c.label_contains else None
    wanted = search_key(c.counterparty).upper() if c.counterparty else None
    pattern = re.compile(c.label_pattern, re.IGNORECASE) if c.label_pattern else None

    def test(s: Subject) -> bool:
        amount = s.amount_cents
        if (sign < 0 and amount >= 0) or (sign > 0 and amount <= 0):
            return False
        if (low is not None and abs(amount) < low) or (high is not None and abs(amount) > high):
            return False
        if needle is not None and needle not in s.key:
            return False
        if wanted is not None and wanted not in s.counterparty:
            return False
        return pattern is None or pattern.search(s.label) is not None

    return test


def _pattern_literal(pattern: str) -> str:
    """The longest run of plain characters the expression needs at its top level ('' when there is none)."""
    try:
        parsed = regex_parser.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError):
        return ''
    runs, current = [], []
    for op, value in parsed:
        if op is regex_parser.LITERAL and value < 128:  # ASCII only: what the search key keeps as it is
            current.append(chr(value))
        else:
            runs.append(''.join(current))
            current = []
    runs.append(''.join(current))
    return max(runs, key=len).strip().lower()


def anchor(c: Conditions) -> str:
    """Text that the search key of every entry the rule matches holds ('' when the rule needs none)."""
    pieces = []
    if c.label_contains:
        pieces.append(search_key(c.label_contains))
    if c.counterparty:  # the counterparty's words come from the key; the spaces between them may differ
        pieces.extend(search_key(c.counterparty).split())
    if c.label_pattern:
        pieces.append(_pattern_literal(c.label_pattern))
    return max(pieces, key=len, default='')


def _all_grams(text: str) -> set[str]:
    return {text[i : i + GRAM] for i in range(len(text) - GRAM + 1)}


def _spaceless(pieces: set[str]) -> set[str]:
    return {p for p in pieces if not any(c.isspace() for c in p)}


@dataclass
class RuleIndex:
    """Rules by the three letters they need; ``rules`` is any sequence in priority order with a ``test``."""

    rules: list
    always: list[int] = field(default_factory=list)  # positions of the rules that need no text
    by_gram: dict[str, list[int]] = field(default_factory=dict)
    by_word: dict[str, tuple[int, ...]] = field(default_factory=dict)  # a word of a key → the rules it may wake

    @classmethod
    def build(cls, rules: list, anchors: list[str]) -> RuleIndex:
        index = cls(rules)
        pieces = [_spaceless(_all_grams(text)) for text in anchors]
        counts = Counter(g for found in pieces for g in found)
        for position, found in enumerate(pieces):
            if not found:
                index.always.append(position)
            else:
                rarest = min(found, key=lambda g: (counts[g], g))
                index.by_gram.setdefault(rarest, []).append(position)
        return index

    def _woken(self, word: str) -> tuple[int, ...]:
        woken = self.by_word.get(word)
        if woken is None:
            if len(self.by_word) > 200_000:  # a bound on memory: unique references would fill it for nothing
                self.by_word.clear()
            found = self.by_gram.keys() & _all_grams(word)
            woken = self.by_word[word] = tuple(p for g in found for p in self.by_gram[g])
        return woken

    def first_match(self, subject: Subject):
        woken = [p for word in subject.key.split() for p in self._woken(word)]
        positions = sorted({*self.always, *woken}) if woken else self.always
        for position in positions:
            rule = self.rules[position]
            if rule.test(subject):
                return rule
        return None
