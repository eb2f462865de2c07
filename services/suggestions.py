"""Suggestions for one entry: the rules that match it, how entries of the same counterparty were allocated before."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import col, select

from services import rule_engine, ventilation_access
from services.allocation_template import HUNDRED, TemplateLine, shares_of
from services.allocations import lines_of
from services.banking_models import Transaction
from services.counterparty import counterparty_of
from services.db import session_scope
from services.ledger import rate_label
from services.permissions import Actor
from services.rule_matcher import Subject
from services.ventilation_models import ALLOCATED, VALIDATED, Allocation

HISTORY_DEPTH = 50  # the latest allocations of a counterparty say how it is allocated now


@dataclass(frozen=True)
class Suggestion:
    source: str  # 'rule' or 'history'
    title: str
    template: tuple[TemplateLine, ...]
    rule_id: int | None = None


def _describe(template: tuple[TemplateLine, ...], labels: dict[str, str]) -> str:
    parts = []
    for line in template:
        share = '' if line.share == HUNDRED else f' ({line.share.normalize():f} %)'.replace('.', ',')
        vat = f', TVA {rate_label(line.vat_rate_bp)}' if line.vat_rate_bp else ''
        parts.append(f'{line.account_number} {labels.get(line.account_number, "")}{share}{vat}'.strip())
    return ' + '.join(parts)


def suggestions_for(actor: Actor, transaction_id: int, *, limit: int = 3) -> list[Suggestion]:
    with session_scope() as session:
        entry, account = ventilation_access.entry(session, actor, transaction_id, 'ventilation.view')
        out: list[Suggestion] = []
        subject = Subject(entry.label, entry.amount_cents)
        for rule in rule_engine.compile_rules(session, account.client_id):
            if rule.test(subject):
                labels = dict(zip((t.account_number for t in rule.template), rule.account_labels, strict=True))
                template = tuple(rule.template)
                title = f'Règle « {rule.name} » : {_describe(template, labels)}'
                out.append(Suggestion('rule', title, template, rule.id))
        counterparty = counterparty_of(entry.label)
        if counterparty:
            query = (
                select(Allocation.transaction_id, Transaction.amount_cents)
                .join(Transaction, col(Transaction.id) == Allocation.transaction_id)
                .where(
                    Allocation.client_id == account.client_id,
                    Allocation.counterparty == counterparty,
                    col(Transaction.ventilation).in_([ALLOCATED, VALIDATED]),
                    Allocation.transaction_id != entry.id,
                )
                .order_by(col(Allocation.prepared_at).desc())
                .limit(HISTORY_DEPTH)
            )
            past = session.exec(query).all()
            lines = lines_of(session, [t for t, _ in past])
            seen: Counter = Counter()
            labels: dict[str, str] = {}
            for transaction_id_, amount_cents in past:
                if lines.get(transaction_id_):
                    seen[shares_of(amount_cents, lines[transaction_id_])] += 1
                    labels.update({line.account_number: line.account_label for line in lines[transaction_id_]})
            for template, count in seen.most_common(2):
                times = 'une fois' if count == 1 else f'{count} fois'
                title = f'Déjà ventilé ainsi pour {counterparty} ({times}) : {_describe(template, labels)}'
                out.append(Suggestion('history', title, template))
        return out[:limit]
