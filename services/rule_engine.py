"""Rules applied to pending entries: the first rule (by priority) whose conditions all hold allocates the entry.

Which rule matches is services.rule_matcher's business (one function per rule, an index of the text rules need);
the writes here are bulk statements: one allocation and its lines per entry, then one state update per chunk of ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import false, insert, update
from sqlmodel import Session, col, select

from services import chart
from services.allocation_template import TemplateLine, loads, split
from services.banking_models import Transaction
from services.bulk import without_cycle_collection
from services.clock import now
from services.ledger import vat_cents
from services.rule_matcher import Conditions, RuleIndex, Subject, anchor, predicate
from services.ventilation_models import ALLOCATED, PENDING, Allocation, AllocationLine, AllocationRule

_CHUNK = 500


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    template: list[TemplateLine]
    account_labels: list[str]
    test: Callable[[Subject], bool]


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
            compiled.append(CompiledRule(rule.id, rule.name, template, labels, predicate(conditions)))
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
    entries = session.exec(query).all()
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
        parts = split(amount_cents, rule.template, label)
        for position, (line, account_label) in enumerate(zip(parts, rule.account_labels, strict=True), start=1):
            cents, rate = line.amount_cents, line.vat_rate_bp
            lines.append(
                (
                    transaction_id,
                    position,
                    line.account_number,
                    account_label,
                    line.label[:200],
                    cents,
                    rate,
                    vat_cents(cents, rate),
                )
            )


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
    ids = [row[0] for row in allocations]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(update(Transaction).where(col(Transaction.id).in_(chunk)).values(ventilation=ALLOCATED))
    for rule_id, count in by_rule.items():
        session.execute(
            update(AllocationRule)
            .where(AllocationRule.id == rule_id)
            .values(applied_count=AllocationRule.applied_count + count)
        )
