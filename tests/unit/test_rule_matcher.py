"""The rule index only skips rules that cannot match: it answers what trying every rule in order answers."""

from __future__ import annotations

import random
from dataclasses import dataclass

from services.rule_matcher import Conditions, RuleIndex, Subject, anchor, predicate

WORDS = (
    'EDF',
    'ORANGE',
    'URSSAF',
    'FRAIS',
    'LOYER',
    'ALPHA',
    'BETA',
    'CB',
    'PRLV',
    'SEPA',
    'VIR',
    'Électricité',
    'ÉNERGIE',
    'DE',
    '06/11',
    '2026-118',
    'SA',
    'MOTIF',
)


@dataclass(frozen=True)
class Rule:
    id: int
    test: object


def _conditions(chance: random.Random) -> Conditions:
    text = ' '.join(chance.sample(WORDS, chance.randint(1, 2)))
    piece = text[chance.randrange(len(text)) :][: chance.randint(2, 8)]  # words cut anywhere, spaces included
    return chance.choice(
        (
            Conditions(label_contains=piece),
            Conditions(counterparty=chance.choice(WORDS), direction='debit'),
            Conditions(label_pattern=rf'{chance.choice(WORDS)}\s+\w+', min_cents=chance.randrange(0, 5000)),
            Conditions(direction='credit', max_cents=chance.randrange(100, 100_000)),
            Conditions(label_pattern=f'{chance.choice(WORDS)}|{chance.choice(WORDS)}'),
        )
    )


def _label(chance: random.Random) -> str:
    return ' '.join(chance.choice(WORDS) for _ in range(chance.randint(2, 7)))


def test_the_index_finds_the_same_first_rule_as_the_plain_loop() -> None:
    chance = random.Random(20261123)
    conditions = [_conditions(chance) for _ in range(120)]
    rules = [Rule(n, predicate(c)) for n, c in enumerate(conditions)]
    index = RuleIndex.build(rules, [anchor(c) for c in conditions])
    assert index.by_gram and index.always  # both paths are exercised
    for _ in range(3000):
        subject = Subject(_label(chance), chance.randrange(-90_000, 90_000))
        plain = next((rule for rule in rules if rule.test(subject)), None)
        assert index.first_match(subject) == plain, subject.label


def test_an_accented_word_of_the_label_is_found_by_its_plain_letters() -> None:
    rules = [Rule(1, predicate(Conditions(label_contains='electricite')))]
    index = RuleIndex.build(rules, [anchor(Conditions(label_contains='electricite'))])
    assert index.first_match(Subject('PRLV ÉLECTRICITÉ DE FRANCE', -1200)) == rules[0]
