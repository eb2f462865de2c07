"""Rules allocate the entries they match, by priority, and count it; suggestions come from rules and history."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services import allocations, entries, rules, suggestions
from services.allocation_template import SplitLine, TemplateLine, split
from services.db import session_scope
from services.entries import EntryFilter
from services.errors import InvalidInput
from services.permissions import Actor
from services.rules import RuleInput
from services.ventilation_models import ALLOCATED, Allocation
from tests import ventilation_world
from tests.ventilation_world import VentilationWorld

ELECTRICITY = [TemplateLine('6061', Decimal(100), 2000)]


@pytest.fixture
def world(demo_data: None) -> VentilationWorld:
    return ventilation_world.build()


def rule(actor: Actor, world: VentilationWorld, name: str, **conditions) -> rules.RuleView:
    template = conditions.pop('template', ELECTRICITY)
    return rules.save_rule(actor, world.client_id, RuleInput(name=name, template=template, **conditions))


def allocated(actor: Actor, world: VentilationWorld) -> dict[str, str]:
    rows = entries.list_entries(actor, world.treasury_id, EntryFilter(state=ALLOCATED), per_page=100).rows
    return {row.label: row.lines[0].account_number for row in rows}


def test_a_rule_on_label_words_allocates_the_matching_entries_and_counts_them(
    admin: Actor, world: VentilationWorld
) -> None:
    edf = rule(admin, world, 'EDF', label_contains='edf clients')
    result = rules.apply_rules(admin, world.treasury_id)
    assert (result.examined, result.applied) == (12, 2)
    assert set(allocated(admin, world).values()) == {'6061'}
    assert [r.applied_count for r in rules.list_rules(admin, world.client_id) if r.id == edf.id] == [2]


def test_the_first_rule_by_priority_wins_and_the_order_can_change(admin: Actor, world: VentilationWorld) -> None:
    rule(admin, world, 'Tout débit', direction='debit', template=[TemplateLine('471', Decimal(100))])
    fuel = rule(admin, world, 'Carburant', label_contains='TOTALENERGIES', template=[TemplateLine('6061', 100, 2000)])
    rules.move_rule(admin, fuel.id, up=True)
    rules.apply_rules(admin, world.treasury_id)
    seen = allocated(admin, world)
    assert seen['CB TOTALENERGIES 06/11 SEYNOD'] == '6061'
    assert seen['PRLV SEPA URSSAF RHONE ALPES'] == '471'


def test_conditions_combine_direction_and_amount_range(admin: Actor, world: VentilationWorld) -> None:
    rule(
        admin,
        world,
        'Petites dépenses',
        direction='debit',
        max_amount=Decimal('50'),
        template=[TemplateLine('6068', Decimal(100), 2000)],
    )
    rules.apply_rules(admin, world.treasury_id)
    assert sorted(allocated(admin, world)) == [
        'CB CARREFOUR MARKET 02/11 ANNECY',
        'FRAIS TENUE DE COMPTE',
        'PRLV SEPA ORANGE SA FACTURE MOBILE',
    ]


def test_a_regular_expression_and_a_counterparty_are_conditions_too(admin: Actor, world: VentilationWorld) -> None:
    rule(
        admin,
        world,
        'Factures clients',
        label_pattern=r'MOTIF FACTURE \d{4}-\d+',
        direction='credit',
        template=[TemplateLine('411', Decimal(100))],
    )
    rule(admin, world, 'Orange', counterparty='orange', template=[TemplateLine('626', Decimal(100), 2000)])
    rules.apply_rules(admin, world.treasury_id)
    assert allocated(admin, world) == {
        'VIR SEPA RECU /DE BOULANGERIE DUPONT /MOTIF FACTURE 2026-118': '411',
        'VIR SEPA RECU /DE GARAGE DES ALPES /MOTIF FACTURE 2026-121': '411',
        'PRLV SEPA ORANGE SA FACTURE MOBILE': '626',
    }


def test_a_rule_needs_a_condition_a_valid_expression_and_shares_of_100(admin: Actor, world: VentilationWorld) -> None:
    with pytest.raises(InvalidInput) as refused:
        rule(admin, world, 'Vide', label_pattern='FACTURE (', template=[TemplateLine('6061', Decimal(60))])
    assert refused.value.errors == {
        'label_pattern': 'Expression régulière invalide.',
        'template': 'Les parts doivent faire 100 % au total.',
    }
    with pytest.raises(InvalidInput, match='au moins une condition'):
        rule(admin, world, 'Sans condition')


def test_rules_apply_to_a_selection_only_when_asked(admin: Actor, world: VentilationWorld) -> None:
    rule(admin, world, 'EDF', label_contains='EDF')
    first = entries.list_entries(admin, world.treasury_id, EntryFilter(text='EDF')).rows[0]
    assert rules.apply_rules(admin, world.treasury_id, transaction_ids=[first.id]).applied == 1
    assert list(allocated(admin, world)) == [first.label]


def test_a_rule_drafted_from_an_entry_takes_its_counterparty_direction_and_allocation(
    admin: Actor, world: VentilationWorld
) -> None:
    orange = entries.list_entries(admin, world.treasury_id, EntryFilter(text='ORANGE')).rows[0].id
    allocations.allocate(admin, orange, [SplitLine('626', '', -3000, 2000), SplitLine('6068', '', -999, 0)])
    draft = rules.draft_from_entry(admin, orange)
    assert (draft.counterparty, draft.direction) == ('ORANGE SA FACTURE MOBILE', 'debit')
    assert [(t.account_number, t.share, t.vat_rate_bp) for t in draft.template] == [
        ('626', Decimal('75.02'), 2000),
        ('6068', Decimal('24.98'), 0),
    ]


def test_history_suggests_how_the_same_counterparty_was_allocated_before(admin: Actor, world: VentilationWorld) -> None:
    first, second = entries.list_entries(admin, world.treasury_id, EntryFilter(text='EDF')).rows
    allocations.allocate(admin, first.id, [SplitLine('6061', '', -12000, 2000)])
    [suggestion] = suggestions.suggestions_for(admin, second.id)
    assert suggestion.source == 'history'
    assert suggestion.title.startswith('Déjà ventilé ainsi pour EDF CLIENTS PARTICULIERS (une fois) : 6061')
    assert suggestion.template == (TemplateLine('6061', Decimal(100), 2000),)


def test_a_matching_rule_is_suggested_before_it_is_applied(admin: Actor, world: VentilationWorld) -> None:
    rule(admin, world, 'URSSAF', label_contains='URSSAF', template=[TemplateLine('6451', Decimal(100))])
    urssaf = entries.list_entries(admin, world.treasury_id, EntryFilter(text='URSSAF')).rows[0].id
    [suggestion] = suggestions.suggestions_for(admin, urssaf)
    assert suggestion.source == 'rule' and suggestion.title.startswith('Règle « URSSAF » : 6451')
    with session_scope() as session:
        assert session.get(Allocation, urssaf) is None


def test_a_rule_with_shares_splits_each_entry_to_the_cent_as_a_selection_would(
    admin: Actor, world: VentilationWorld
) -> None:
    thirds = [
        TemplateLine('6061', Decimal('33.33')),
        TemplateLine('6063', Decimal('33.33')),
        TemplateLine('6064', Decimal('33.34')),
    ]
    rule(admin, world, 'Tiers', label_contains='ORANGE', template=thirds)
    rules.apply_rules(admin, world.treasury_id)
    [row] = entries.list_entries(admin, world.treasury_id, EntryFilter(state=ALLOCATED)).rows
    expected = split(row.amount_cents, thirds, row.label)
    assert (
        [line.amount_cents for line in row.lines] == [part.amount_cents for part in expected] == [-1333, -1333, -1333]
    )
