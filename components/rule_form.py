"""The form of a rule: its conditions, then the allocation template it applies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from components.account_picker import AccountField
from components.template_editor import TemplateEditor, drafts_of
from components.wide_card import wide_card
from services.errors import InvalidInput
from services.formatting import amount_text, parse_amount
from services.imports import cents
from services.rules import DIRECTIONS, RuleInput

DIRECTION_CHOICES = {'': DIRECTIONS[None], 'debit': DIRECTIONS['debit'], 'credit': DIRECTIONS['credit']}


def _amount_field(label: str, value, testid: str) -> ui.input:
    text = '' if value is None else amount_text(cents(value))
    return ui.input(label, value=text).props(f'outlined dense inputmode=decimal clearable data-testid={testid}')


def rule_dialog(
    draft: RuleInput,
    *,
    title: str,
    account_field: AccountField,
    on_save: Callable[[RuleInput], Awaitable[None]],
) -> ui.dialog:
    """``on_save`` raises InvalidInput to show field messages; the dialog closes when it returns."""
    with ui.dialog() as dialog, wide_card(48, 'rule-form'):
        ui.label(title).classes('text-lg font-semibold')
        name = (
            ui.input('Nom de la règle', value=draft.name)
            .props('outlined dense data-testid=rule-name')
            .mark('rule-name')
        )
        ui.label('Conditions (toutes doivent être remplies)').classes('text-sm font-medium text-slate-600')
        with ui.row().classes('w-full gap-2'):
            contains = ui.input('Le libellé contient', value=draft.label_contains).props(
                'outlined dense data-testid=rule-contains'
            )
            pattern = ui.input('ou correspond à (expression régulière)', value=draft.label_pattern).props(
                'outlined dense data-testid=rule-pattern'
            )
            party = ui.input('Tiers', value=draft.counterparty).props('outlined dense data-testid=rule-counterparty')
            for field, marker in ((contains, 'rule-contains'), (pattern, 'rule-pattern'), (party, 'rule-counterparty')):
                field.classes('w-full sm:w-[calc(33%-0.5rem)]').mark(marker)
        with ui.row().classes('w-full gap-2'):
            low = _amount_field('Montant min.', draft.min_amount, 'rule-min').classes('w-[calc(50%-0.25rem)] sm:w-36')
            high = _amount_field('Montant max.', draft.max_amount, 'rule-max').classes('w-[calc(50%-0.25rem)] sm:w-36')
            direction = ui.select(DIRECTION_CHOICES, value=draft.direction or '', label='Sens').props(
                'outlined dense data-testid=rule-direction'
            )
            direction.classes('w-full sm:w-44')
        conditions_error = ui.label().classes('text-sm text-red-800').props('data-testid=rule-error role=alert')
        ui.label('Ventilation appliquée').classes('text-sm font-medium text-slate-600')
        template = TemplateEditor(drafts_of(draft.template), account_field=account_field, testid='rule-line')

        async def save() -> None:
            lines = template.template()
            amounts = [parse_amount(f.value) if (f.value or '').strip() else None for f in (low, high)]
            if isinstance(lines, str) or any(
                (f.value or '').strip() and a is None for f, a in zip((low, high), amounts, strict=True)
            ):
                conditions_error.text = lines if isinstance(lines, str) else 'Montant illisible (ex. 1 234,56).'
                return
            data = RuleInput(
                name=name.value or '',
                label_contains=contains.value or '',
                label_pattern=pattern.value or '',
                counterparty=party.value or '',
                min_amount=amounts[0],
                max_amount=amounts[1],
                direction=direction.value or None,
                template=lines,
            )
            try:
                await on_save(data)
            except InvalidInput as problem:
                conditions_error.text = ' '.join(problem.errors.values())
                return
            dialog.close()

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Annuler', on_click=dialog.close).props('flat no-caps data-testid=rule-cancel')
            ui.button('Enregistrer la règle', on_click=save).props('unelevated no-caps data-testid=rule-save').mark(
                'rule-save'
            )
    return dialog
