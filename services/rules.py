"""« Règles » of a client file: conditions on an entry → an allocation template, in priority order.

Conditions: the label contains some words or matches a regular expression, the counterparty, an amount range (on
the absolute amount), debit or credit. A rule needs at least one; all of them must hold. The first matching rule by
priority allocates the entry, and each rule counts how often it did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, select

from services import audit, chart, events, rule_engine, ventilation_access
from services.allocation_template import TemplateLine, dumps, loads, shares_of
from services.allocation_template import problems as template_problems
from services.allocations import lines_of
from services.counterparty import counterparty_of
from services.db import session_scope
from services.errors import InvalidInput, NotFound
from services.imports import cents
from services.permissions import Actor
from services.ventilation_models import AllocationRule

DIRECTIONS = {None: 'Débit ou crédit', 'debit': 'Débit', 'credit': 'Crédit'}


@dataclass(frozen=True)
class RuleInput:
    name: str
    label_contains: str = ''
    label_pattern: str = ''
    counterparty: str = ''
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    direction: str | None = None
    template: list[TemplateLine] = field(default_factory=list)


@dataclass(frozen=True)
class RuleView:
    id: int
    priority: int
    name: str
    data: RuleInput
    applied_count: int


def _view(rule: AllocationRule) -> RuleView:
    def amount(value: int | None) -> Decimal | None:
        return None if value is None else Decimal(value) / 100

    data = RuleInput(
        rule.name,
        rule.label_contains or '',
        rule.label_pattern or '',
        rule.counterparty or '',
        amount(rule.min_cents),
        amount(rule.max_cents),
        rule.direction,
        loads(rule.template),
    )
    return RuleView(rule.id, rule.priority, rule.name, data, rule.applied_count)


def list_rules(actor: Actor, client_id: int) -> list[RuleView]:
    with session_scope() as session:
        ventilation_access.client_file(session, actor, client_id, 'ventilation.view')
        query = select(AllocationRule).where(AllocationRule.client_id == client_id)
        return [_view(r) for r in session.exec(query.order_by(AllocationRule.priority, AllocationRule.id))]


def _checked(session: Session, client_id: int, data: RuleInput) -> dict:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors['name'] = 'Donnez un nom à la règle.'
    pattern = data.label_pattern.strip()
    if pattern:
        try:
            re.compile(pattern)
        except re.error:
            errors['label_pattern'] = 'Expression régulière invalide.'
    low, high = data.min_amount, data.max_amount
    if (low is not None and low < 0) or (high is not None and high < 0):
        errors['amount'] = 'Les montants se saisissent sans signe : choisissez débit ou crédit.'
    elif low is not None and high is not None and low > high:
        errors['amount'] = 'Le montant minimum dépasse le maximum.'
    if data.direction not in DIRECTIONS:
        errors['direction'] = 'Sens inconnu.'
    conditions = (data.label_contains.strip(), pattern, data.counterparty.strip(), low, high, data.direction)
    if not any(c not in (None, '') for c in conditions):
        errors['conditions'] = 'Indiquez au moins une condition.'
    problem = template_problems(data.template)
    numbers = [t.account_number for t in data.template]
    unknown = [n for n in numbers if chart.account_label(session, client_id, n) is None]
    if problem or unknown:
        errors['template'] = problem or f'Compte « {unknown[0]} » inconnu.'
    if errors:
        raise InvalidInput(errors)
    return {
        'name': name[:120],
        'label_contains': data.label_contains.strip()[:120] or None,
        'label_pattern': pattern[:200] or None,
        'counterparty': data.counterparty.strip().upper()[:80] or None,
        'min_cents': None if low is None else cents(low),
        'max_cents': None if high is None else cents(high),
        'direction': data.direction,
        'template': dumps(data.template),
    }


def _rule(session: Session, actor: Actor, rule_id: int) -> AllocationRule:
    rule = session.get(AllocationRule, rule_id)
    if rule is None:
        raise NotFound('Règle')
    try:
        ventilation_access.client_file(session, actor, rule.client_id, 'ventilation.rules')
    except NotFound:
        raise NotFound('Règle') from None
    return rule


def save_rule(actor: Actor, client_id: int, data: RuleInput, *, rule_id: int | None = None) -> RuleView:
    """Create a rule (last in priority) or change one."""
    with session_scope() as session:
        if rule_id is None:
            ventilation_access.client_file(session, actor, client_id, 'ventilation.rules')
            last = session.exec(select(func.max(AllocationRule.priority)).where(AllocationRule.client_id == client_id))
            rule = AllocationRule(client_id=client_id, priority=(last.one() or 0) + 1, name='', template='[]')
        else:
            rule = _rule(session, actor, rule_id)
        for key, value in _checked(session, rule.client_id, data).items():
            setattr(rule, key, value)
        session.add(rule)
        session.flush()
        audit.record(
            session,
            'ventilation.rule_saved',
            actor=actor,
            target_type='allocation_rule',
            target_id=rule.id,
            detail=rule.name,
        )
        return _view(rule)


def delete_rule(actor: Actor, rule_id: int) -> None:
    with session_scope() as session:
        rule = _rule(session, actor, rule_id)
        audit.record(
            session,
            'ventilation.rule_deleted',
            actor=actor,
            target_type='allocation_rule',
            target_id=rule.id,
            detail=rule.name,
        )
        session.delete(rule)


def move_rule(actor: Actor, rule_id: int, *, up: bool) -> None:
    """One place up or down in the priority order."""
    with session_scope() as session:
        rule = _rule(session, actor, rule_id)
        query = select(AllocationRule).where(AllocationRule.client_id == rule.client_id)
        ordered = list(session.exec(query.order_by(AllocationRule.priority, AllocationRule.id)))
        index = ordered.index(rule)
        other = index - 1 if up else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for priority, item in enumerate(ordered, start=1):
            item.priority = priority
            session.add(item)


def draft_from_entry(actor: Actor, transaction_id: int) -> RuleInput:
    """« Créer une règle à partir de cette écriture »: its counterparty, its direction, its allocation as shares."""
    with session_scope() as session:
        entry, _ = ventilation_access.entry(session, actor, transaction_id, 'ventilation.view')
        lines = lines_of(session, [entry.id]).get(entry.id, [])
        template = list(shares_of(entry.amount_cents, lines))
        counterparty = counterparty_of(entry.label)
        return RuleInput(
            name=counterparty.title() or entry.label[:40],
            label_contains='' if counterparty else entry.label[:40],
            counterparty=counterparty,
            direction='debit' if entry.amount_cents < 0 else 'credit',
            template=template,
        )


def apply_rules(actor: Actor, treasury_id: int, *, transaction_ids: list[int] | None = None) -> rule_engine.ApplyResult:
    """« Appliquer les règles » to the pending entries the actor may prepare (or to a selection of them)."""
    with session_scope() as session:
        treasury, account_ids = ventilation_access.treasury(session, actor, treasury_id, 'ventilation.prepare')
        result = rule_engine.apply_to_entries(
            session, treasury.client_id, account_ids, user_id=actor.user_id, only_ids=transaction_ids
        )
        if result.applied:
            audit.record(
                session,
                'ventilation.rules_applied',
                actor=actor,
                target_type='treasury_account',
                target_id=treasury.id,
                detail=f'{result.applied} écritures sur {result.examined}',
            )
    if result.applied:
        events.emit(events.VentilationChanged(treasury.client_id, 'rules'))
    return result
