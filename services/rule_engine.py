"""Rules applied to pending entries: the first rule (by priority) whose conditions all hold allocates the entry.

A rule's conditions become one closure, cheapest test first (direction, amount range, then the label's words, the
counterparty and last the regular expression), so 200 rules over 50,000 entries stay a matter of seconds. The
writes are bulk statements: one allocation and its lines per entry, then one state update per chunk of ids.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from services import chart
from services.allocation_template import TemplateLine, loads, split
from services.banking_models import Transaction
from services.clock import now
from services.counterparty import counterparty_of
from services.ledger import vat_cents
from services.text import search_key
from services.ventilation_models import ALLOCATED, PENDING, Allocation, AllocationLine, AllocationRule

_CHUNK = 500


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
class CompiledRule:
    id: int
    name: str
    template: list[TemplateLine]
    account_labels: list[str]
    test: Callable[[Subject], bool]


def _conditions(rule: AllocationRule) -> list[Callable[[Subject], bool]]:
    tests: list[Callable[[Subject], bool]] = []
    if rule.direction == 'debit':
        tests.append(lambda s: s.amount_cents < 0)
    elif rule.direction == 'credit':
        tests.append(lambda s: s.amount_cents > 0)
    low, high = rule.min_cents, rule.max_cents
    if low is not None:
        tests.append(lambda s: abs(s.amount_cents) >= low)
    if high is not None:
        tests.append(lambda s: abs(s.amount_cents) <= high)
    if rule.label_contains:
        needle = search_key(rule.label_contains)
        tests.append(lambda s: needle in s.key)
    if rule.counterparty:
        wanted = search_key(rule.counterparty).upper()
        tests.append(lambda s: wanted in s.counterparty)
    if rule.label_pattern:
        pattern = re.compile(rule.label_pattern, re.IGNORECASE)
        tests.append(lambda s: pattern.search(s.label) is not None)
    return tests


def _all_of(tests: list[Callable[[Subject], bool]]) -> Callable[[Subject], bool]:
    if len(tests) == 1:
        return tests[0]
    return lambda s: all(test(s) for test in tests)


def compile_rules(session: Session, client_id: int) -> list[CompiledRule]:
    """The file's active rules in priority order; a rule whose template names an unknown account is left out."""
    query = select(AllocationRule).where(AllocationRule.client_id == client_id, col(AllocationRule.active).is_(True))
    compiled = []
    for rule in session.exec(query.order_by(AllocationRule.priority, AllocationRule.id)):
        template = loads(rule.template)
        labels = [chart.account_label(session, client_id, line.account_number) for line in template]
        tests = _conditions(rule)
        if template and tests and None not in labels:
            compiled.append(CompiledRule(rule.id, rule.name, template, labels, _all_of(tests)))
    return compiled


def first_match(rules: list[CompiledRule], subject: Subject) -> CompiledRule | None:
    for rule in rules:
        if rule.test(subject):
            return rule
    return None


@dataclass
class ApplyResult:
    examined: int = 0
    applied: int = 0
    by_rule: Counter | None = None


def apply_to_entries(
    session: Session, client_id: int, account_ids: list[int], *, user_id: int, only_ids: list[int] | None = None
) -> ApplyResult:
    """Allocate every pending entry of ``account_ids`` (or of ``only_ids`` among them) that a rule matches."""
    rules = compile_rules(session, client_id)
    query = select(Transaction.id, Transaction.label, Transaction.amount_cents).where(
        col(Transaction.account_id).in_(account_ids),
        Transaction.ventilation == PENDING,
        col(Transaction.pending).is_(False),
    )
    if only_ids is not None:
        query = query.where(col(Transaction.id).in_(only_ids or [0]))
    entries = session.exec(query).all()
    result = ApplyResult(examined=len(entries), by_rule=Counter())
    if not rules:
        return result
    stamp, allocations, lines = now(), [], []
    for transaction_id, label, amount_cents in entries:
        subject = Subject(label, amount_cents)
        rule = first_match(rules, subject)
        if rule is None:
            continue
        result.by_rule[rule.id] += 1
        allocations.append(
            {
                'transaction_id': transaction_id,
                'client_id': client_id,
                'counterparty': subject.counterparty,
                'rule_id': rule.id,
                'prepared_by': user_id,
                'prepared_at': stamp,
            }
        )
        for position, (line, account_label) in enumerate(
            zip(split(amount_cents, rule.template, label), rule.account_labels, strict=True), start=1
        ):
            lines.append(
                {
                    'transaction_id': transaction_id,
                    'position': position,
                    'account_number': line.account_number,
                    'account_label': account_label,
                    'label': line.label[:200],
                    'amount_cents': line.amount_cents,
                    'vat_rate_bp': line.vat_rate_bp,
                    'vat_cents': vat_cents(line.amount_cents, line.vat_rate_bp),
                }
            )
    _write(session, allocations, lines, result.by_rule)
    result.applied = len(allocations)
    return result


def _write(session: Session, allocations: list[dict], lines: list[dict], by_rule: Counter) -> None:
    if not allocations:
        return
    session.execute(insert(Allocation), allocations)
    session.execute(insert(AllocationLine), lines)
    ids = [a['transaction_id'] for a in allocations]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(update(Transaction).where(col(Transaction.id).in_(chunk)).values(ventilation=ALLOCATED))
    for rule_id, count in by_rule.items():
        session.execute(
            update(AllocationRule)
            .where(AllocationRule.id == rule_id)
            .values(applied_count=AllocationRule.applied_count + count)
        )
