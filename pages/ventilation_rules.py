"""« Règles » of a client file: what each rule matches, what it allocates, how often it did, in priority order."""

from __future__ import annotations

from nicegui import run, ui

from components.account_picker import account_field
from components.confirm import confirm
from components.data_table import cell, data_table, empty_row, row, text_cell
from components.rule_form import rule_dialog
from components.ventilation_nav import ventilation_nav
from pages.layout import page_frame
from pages.session import guard
from services import chart, entries, rules
from services.errors import DomainError
from services.formatting import money
from services.imports import cents
from services.ledger import rate_label
from services.permissions import Actor
from services.rules import DIRECTIONS, RuleInput, RuleView

HEADERS = ['Priorité', 'Règle', 'Conditions', 'Ventilation', 'Appliquée', '']


def conditions_text(data: RuleInput) -> str:
    parts = []
    if data.label_contains:
        parts.append(f'libellé contient « {data.label_contains} »')
    if data.label_pattern:
        parts.append(f'libellé correspond à « {data.label_pattern} »')
    if data.counterparty:
        parts.append(f'tiers « {data.counterparty} »')
    if data.min_amount is not None:
        parts.append(f'montant ≥ {money(cents(data.min_amount))}')
    if data.max_amount is not None:
        parts.append(f'montant ≤ {money(cents(data.max_amount))}')
    if data.direction:
        parts.append(DIRECTIONS[data.direction].lower())
    return ' et '.join(parts)


def template_text(data: RuleInput) -> str:
    return ' + '.join(
        f'{t.account_number} ({t.share.normalize():f} %'.replace('.', ',')
        + (f', TVA {rate_label(t.vat_rate_bp)})' if t.vat_rate_bp else ')')
        for t in data.template
    )


class RulesScreen:
    def __init__(self, actor: Actor, client_id: int) -> None:
        self.actor, self.client_id = actor, client_id
        self.host = ui.element('div')
        self.account_field = account_field(
            lambda text: [(c.number, c.label) for c in chart.search_accounts(actor, client_id, text)]
        )

    def open_form(self, view: RuleView | None) -> None:
        async def on_save(data: RuleInput) -> None:
            rule_id = view.id if view else None
            await run.io_bound(rules.save_rule, self.actor, self.client_id, data, rule_id=rule_id)
            ui.notify(f'Règle « {data.name} » enregistrée.', type='positive')
            self.render.refresh()

        draft = view.data if view else RuleInput(name='')
        title = 'Modifier la règle' if view else 'Nouvelle règle'
        with self.host:
            rule_dialog(draft, title=title, account_field=self.account_field, on_save=on_save).open()

    async def act(self, work, *args, **kwargs) -> None:
        try:
            await run.io_bound(work, *args, **kwargs)
        except DomainError as problem:
            ui.notify(str(problem), type='warning')
        self.render.refresh()

    async def delete(self, view: RuleView) -> None:
        text = 'Les écritures qu’elle a ventilées gardent leur ventilation.'
        title = f'Supprimer la règle « {view.name} » ?'
        if await confirm(title, text, confirm_label='SUPPRIMER', testid='rule-confirm'):
            await self.act(rules.delete_rule, self.actor, view.id)

    @ui.refreshable_method
    def render(self) -> None:
        found = rules.list_rules(self.actor, self.client_id)
        with data_table(HEADERS, testid='rules-table'):
            if not found:
                empty_row(len(HEADERS), 'Aucune règle : créez-en une, ou depuis une écriture ventilée.')
            for index, view in enumerate(found):
                with row(f'rule-row-{view.id}'):
                    text_cell(str(view.priority), nowrap=True)
                    text_cell(view.name, f'rule-name-{view.id}')
                    text_cell(conditions_text(view.data))
                    text_cell(template_text(view.data))
                    text_cell(f'{view.applied_count} fois', f'rule-count-{view.id}', nowrap=True)
                    with cell(), ui.row().classes('gap-0 no-wrap'):
                        self._icon(
                            'arrow_upward',
                            'Monter',
                            f'rule-up-{view.id}',
                            index > 0,
                            lambda v=view: self.act(rules.move_rule, self.actor, v.id, up=True),
                        )
                        self._icon(
                            'arrow_downward',
                            'Descendre',
                            f'rule-down-{view.id}',
                            index < len(found) - 1,
                            lambda v=view: self.act(rules.move_rule, self.actor, v.id, up=False),
                        )
                        self._icon('edit', 'Modifier', f'rule-edit-{view.id}', True, lambda v=view: self.open_form(v))
                        self._icon('delete', 'Supprimer', f'rule-delete-{view.id}', True, lambda v=view: self.delete(v))

    @staticmethod
    def _icon(icon: str, label: str, testid: str, enabled: bool, action) -> None:
        button = ui.button(icon=icon, on_click=action).props(
            f'flat round dense aria-label="{label}" data-testid={testid}'
        )
        button.set_enabled(enabled)


def ventilation_rules_page(client_id: int):
    actor = guard('ventilation.rules')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Règles de ventilation'):
        try:
            home = entries.overview(actor, int(client_id))
        except (DomainError, ValueError):
            ui.label('Dossier introuvable.').classes('text-red-800')
            return None
        ventilation_nav(actor, home.client_id, current='ventilation/regles', client_name=home.client_name)
        ui.label(
            'Les règles s’appliquent aux écritures en attente, dans l’ordre de priorité : la première qui correspond '
            'ventile l’écriture. « Appliquer les règles » est sur l’écran des écritures.'
        ).classes('text-sm text-slate-600')
        screen = RulesScreen(actor, home.client_id)
        ui.button('Nouvelle règle', icon='add', on_click=lambda: screen.open_form(None)).props(
            'no-caps unelevated data-testid=rule-new'
        ).mark('rule-new')
        screen.render()
    return None
