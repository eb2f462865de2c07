"""Rules applied to pending entries: the first rule (by priority) whose conditions all hold allocates the entry.

Which rule matches is services.rule_matcher's business (one function per rule, an index of the text rules need);
the writes here are bulk statements: one allocation and its lines per entry, then one state update per chunk of ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, false, insert, update
from sqlmodel import Session, col, select

from services import chart
from services.allocation_template import TemplateLine, loads, split
from services.banking_models import Transaction
from services.bulk import without_cycle_collection
from services.clock import now
from services.ledger import round_half_even, vat_cents
from services.rule_matcher import Conditions, RuleIndex, Subject, anchor, predicate
from services.ventilation_models import ALLOCATED, PENDING, Allocation, AllocationLine, AllocationRule


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    template: list[TemplateLine]
    account_labels: list[str]
    test: Callable[[Subject], bool]
    hundredths: tuple[int, ...] | None  # each line's share in hundredths of a percent


def _conditions(rule: AllocationRule) -> Conditions:
    return Conditions(
        rule.direction, rule.min_cents, rule.max_cents, rule.label_contains, rule.counterparty, rule.label_pattern
    )


def compile_rules(session: Session, client_id: int) -> list[CompiledRule]:
    """The file's active rules in priority order; a rule whose template names an unknown account is left out."""
    query = select(AllocationRule).where(AllocationRule.client_id == client_id, col(AllocationRule.active).is_(True))
    compiled = []
    for rule in session.exec(query.order_by(AllocationRule.priority, AllocationRule.id)):
        template = loads(rule.template)
        labels = [chart.account_label(session, client_id, line.account_number) for line in template]
        conditions = _conditions(rule)
        if template and conditions != Conditions() and None not in labels:
            compiled.append(
                CompiledRule(rule.id, rule.name, template, labels, predicate(conditions), _hundredths(template))
            )
    return compiled


def rule_index(session: Session, client_id: int) -> RuleIndex:
    rules = compile_rules(session, client_id)
    query = select(AllocationRule).where(col(AllocationRule.id).in_([r.id for r in rules] or [0]))
    anchors = {rule.id: anchor(_conditions(rule)) for rule in session.exec(query)}
    return RuleIndex.build(rules, [anchors[r.id] for r in rules])


@dataclass
class ApplyResult:
    examined: int = 0
    applied: int = 0
    by_rule: Counter | None = None


def apply_to_entries(
    session: Session, client_id: int, account_ids: list[int], *, user_id: int, only_ids: list[int] | None = None
) -> ApplyResult:
    """Allocate every pending entry of ``account_ids`` (or of ``only_ids`` among them) that a rule matches."""
    index = rule_index(session, client_id)
    query = select(Transaction.id, Transaction.label, Transaction.amount_cents).where(
        col(Transaction.account_id).in_(account_ids),
        Transaction.ventilation == PENDING,
        Transaction.pending == false(),
    )
    if only_ids is not None:
        query = query.where(col(Transaction.id).in_(only_ids or [0]))
    entries = session.connection().execute(query).all()  # plain rows: 50,000 ORM rows cost more than the query
    result = ApplyResult(examined=len(entries), by_rule=Counter())
    if not index.rules:
        return result
    allocations, lines = [], []
    with without_cycle_collection():  # 50,000 entries make a million small objects and no cycle (services.bulk)
        _match_all(index, entries, client_id, user_id, result, allocations, lines)
    _write(session, allocations, lines, result.by_rule)
    result.applied = len(allocations)
    return result


def _match_all(index: RuleIndex, entries, client_id: int, user_id: int, result, allocations, lines) -> None:
    for transaction_id, label, amount_cents in entries:
        subject = Subject(label, amount_cents)
        rule = index.first_match(subject)
        if rule is None:
            continue
        result.by_rule[rule.id] += 1
        allocations.append((transaction_id, client_id, subject.counterparty, rule.id, user_id))
        for position, (number, account_label, text, cents, rate) in enumerate(_lines(rule, amount_cents, label), 1):
            lines.append((transaction_id, position, number, account_label, text, cents, rate, vat_cents(cents, rate)))


def _lines(rule: CompiledRule, amount_cents: int, label: str) -> list[tuple]:
    """The rule's template on one amount: integer shares when they have two decimals at most (they nearly always
    do), else allocation_template.split itself; the same cents either way."""
    if rule.hundredths is None:
        parts = split(amount_cents, rule.template, label)
        return [
            (p.account_number, account_label, p.label[:200], p.amount_cents, p.vat_rate_bp)
            for p, account_label in zip(parts, rule.account_labels, strict=True)
        ]
    out, left, last = [], amount_cents, len(rule.template) - 1
    for index, (line, account_label, hundredths) in enumerate(
        zip(rule.template, rule.account_labels, rule.hundredths, strict=True)
    ):
        cents = left if index == last else round_half_even(amount_cents * hundredths, 10_000)
        left -= cents
        out.append((line.account_number, account_label, (line.label or label)[:200], cents, line.vat_rate_bp))
    return out


def _hundredths(template: list[TemplateLine]) -> tuple[int, ...] | None:
    shares = [Decimal(line.share) * 100 for line in template]
    return tuple(int(s) for s in shares) if all(s == s.to_integral_value() for s in shares) else None


_ALLOCATION_COLUMNS = ('transaction_id', 'client_id', 'counterparty', 'rule_id', 'prepared_by', 'prepared_at')
_LINE_COLUMNS = (
    'transaction_id',
    'position',
    'account_number',
    'account_label',
    'label',
    'amount_cents',
    'vat_rate_bp',
    'vat_cents',
)


def _insert(session: Session, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Through the driver on SQLite (SQLAlchemy's per-row processing costs more than the insert itself, as in
    services.imports), through SQLAlchemy elsewhere."""
    connection = session.connection()
    if connection.dialect.name == 'sqlite':
        marks = ', '.join('?' * len(columns))
        connection.exec_driver_sql(f'INSERT INTO {table.name} ({", ".join(columns)}) VALUES ({marks})', rows)
    else:
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def _write(session: Session, allocations: list[dict], lines: list[dict], by_rule: Counter) -> None:
    if not allocations:
        return
    stamp = now()
    if session.connection().dialect.name == 'sqlite':
        stamp = stamp.strftime('%Y-%m-%d %H:%M:%S.%f')  # SQLAlchemy's storage format for naive times on SQLite
    _insert(session, Allocation.__table__, _ALLOCATION_COLUMNS, [(*row, stamp) for row in allocations])
    _insert(session, AllocationLine.__table__, _LINE_COLUMNS, lines)
    connection = session.connection()
    allocated = update(Transaction.__table__).where(Transaction.__table__.c.id == bindparam('row_id'))
    connection.execute(allocated.values(ventilation=ALLOCATED), [{'row_id': row[0]} for row in allocations])
    rules = AllocationRule.__table__
    counted = update(rules).where(rules.c.id == bindparam('rule_id'))
    connection.execute(
        counted.values(applied_count=rules.c.applied_count + bindparam('count')),
        [{'rule_id': rule_id, 'count': count} for rule_id, count in by_rule.items()],
    )
