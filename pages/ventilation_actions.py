"""What the ventilation screen does: the action bar, the entry's dialog, the selection, removal and exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING

from nicegui import run, ui

from components.account_picker import account_field
from components.allocation_editor import EditorState, editor_dialog, first_line, lines_from
from components.export_dialog import export_dialog
from components.removal_dialog import removal_dialog
from components.rule_form import rule_dialog
from components.template_editor import TemplateDraft, TemplateEditor
from components.wide_card import wide_card
from services import allocations, chart, entries, rules, suggestions, ventilation_export
from services.errors import DomainError
from services.permissions import can
from services.rules import RuleInput
from services.ventilation_models import ALLOCATED, PENDING, VALIDATED

if TYPE_CHECKING:
    from pages.ventilation import VentilationScreen


class Actions:
    def __init__(self, screen: VentilationScreen) -> None:
        self.screen, self.actor = screen, screen.actor
        self.dialog_open = False
        self.busy = False  # one service call at a time: a double click does the work once
        self.host = ui.element('div')  # dialogs live outside the refreshable bar, which deletes what it holds
        self.account_field = account_field(
            lambda text: [(c.number, c.label) for c in chart.search_accounts(self.actor, screen.home.client_id, text)]
        )

    # --- helpers ---------------------------------------------------------------------------------------------
    def notify(self, message: str, **options) -> None:
        """A notification from the host: the service's VentilationChanged redraws the bar while its button's handler
        still awaits, and a notification from the deleted button's slot would raise instead of showing."""
        with self.host:
            ui.notify(message, **options)

    async def attempt(self, work: Callable, *args, success: str | None = None, exclusive: bool = True, **kwargs):
        """Run a service call off the page's loop; a refusal becomes a French notification, never a crash.
        ``exclusive`` calls (those that change something) run one at a time: a double click does the work once."""
        if exclusive and self.busy:
            return None
        self.busy = self.busy or exclusive
        try:
            result = await run.io_bound(work, *args, **kwargs)
        except DomainError as problem:
            self.notify(str(problem), type='warning', multi_line=True)
            return None
        finally:
            if exclusive:
                self.busy = False
        if success:
            self.notify(success.format(result=result), type='positive')
        return True if result is None else result

    def show(self, dialog: ui.dialog) -> None:
        self.dialog_open = True
        dialog.on('hide', lambda: setattr(self, 'dialog_open', False))
        dialog.open()

    # --- the bar ---------------------------------------------------------------------------------------------
    @ui.refreshable_method
    def bar(self) -> None:
        treasury, state = self.screen.treasury, self.screen.state
        selected = len(self.screen.table.selected) if hasattr(self.screen, 'table') else 0
        with ui.row().classes('w-full items-center gap-2 flex-wrap'):
            if treasury.may_prepare and state == PENDING:
                self._button('Appliquer les règles', 'rule', 'ventilation-apply-rules', self.apply_rules)
                self._button(
                    f'Appliquer à la sélection ({selected})',
                    'playlist_add_check',
                    'ventilation-apply-selection',
                    self.apply_to_selection,
                    enabled=selected > 0,
                )
                self._button('Supprimer des écritures…', 'delete_sweep', 'ventilation-remove', self.open_removal)
            if treasury.may_validate and state == ALLOCATED:
                self._button(
                    f'Valider la sélection ({selected})',
                    'verified',
                    'ventilation-validate',
                    self.validate_selection,
                    enabled=selected > 0,
                )
            if can(self.actor, 'ventilation.export'):
                self._button('Exporter…', 'download', 'ventilation-export', self.open_export)

    @staticmethod
    def _button(label: str, icon: str, testid: str, action: Callable, *, enabled: bool = True) -> None:
        button = ui.button(label, icon=icon, on_click=action).props(f'no-caps outline dense data-testid={testid}')
        button.mark(testid)
        button.set_enabled(enabled)

    async def apply_rules(self) -> None:
        ids = self.screen.table.selected_ids or None
        result = await self.attempt(rules.apply_rules, self.actor, self.screen.treasury.id, transaction_ids=ids)
        if result:
            self.notify(
                f'{result.applied} écriture(s) ventilée(s) par les règles sur {result.examined}.', type='positive'
            )
            self.screen.refresh()

    async def validate_selection(self) -> None:
        ids = self.screen.table.selected_ids
        if await self.attempt(allocations.validate, self.actor, ids, success='{result} écriture(s) validée(s).'):
            self.screen.table.selected = []
            self.screen.refresh()

    def apply_to_selection(self) -> None:
        ids = self.screen.table.selected_ids
        with self.host, ui.dialog() as dialog, wide_card(44, 'selection'):
            ui.label(f'Appliquer à {len(ids)} écriture(s)').classes('text-lg font-semibold')
            ui.label('Chaque écriture reçoit ces parts de son montant.').classes('text-sm text-slate-600')
            editor = TemplateEditor([TemplateDraft()], account_field=self.account_field, testid='selection-line')

            async def go() -> None:
                template = editor.template()
                if isinstance(template, str):
                    ui.notify(template, type='warning')
                    return
                done = await self.attempt(
                    allocations.allocate_many, self.actor, ids, template, success='{result} écriture(s) ventilée(s).'
                )
                if done:
                    dialog.close()
                    self.screen.table.selected = []
                    self.screen.refresh()

            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Annuler', on_click=dialog.close).props('flat no-caps data-testid=selection-cancel')
                ui.button('Appliquer', on_click=go).props('unelevated no-caps data-testid=selection-go')
        self.show(dialog)

    # --- one entry -------------------------------------------------------------------------------------------
    async def open_entry(self, row: dict) -> None:
        if self.dialog_open:
            return
        found = await self.attempt(suggestions.suggestions_for, self.actor, row['id'], exclusive=False)
        items = found if isinstance(found, list) else []
        state = EditorState(row, lines_from(row, [SimpleNamespace(**line) for line in row['lines']]) or first_line(row))
        if not row['lines'] and items:
            state.use_template(items[0].template)
        treasury = self.screen.treasury
        editable = treasury.may_prepare and row['state'] in (PENDING, ALLOCATED)
        with self.host:
            dialog = editor_dialog(
                state,
                account_field=self.account_field,
                suggestions=items,
                actions=self._entry_actions(row, state, editable),
                read_only=not editable,
            )
        self.show(dialog)
        self.current_dialog = dialog

    def _entry_actions(self, row: dict, state: EditorState, editable: bool) -> list:
        treasury, actions = self.screen.treasury, []
        if row['state'] == ALLOCATED and treasury.may_prepare:
            actions.append(
                ('Remettre en attente', 'editor-unallocate', lambda: self._after(allocations.unallocate, row))
            )
        if row['state'] == ALLOCATED and treasury.may_validate:
            actions.append(('Valider', 'editor-validate', lambda: self._after(allocations.validate, [row['id']])))
        if row['state'] == VALIDATED and treasury.may_validate:
            actions.append(('Rouvrir', 'editor-reopen', lambda: self._after(allocations.reopen, row)))
        if editable and can(self.actor, 'ventilation.rules'):
            actions.append(
                ('Créer une règle à partir de cette écriture', 'editor-make-rule', lambda: self.make_rule(row))
            )
        if editable:
            actions.append(('Enregistrer', 'editor-save', lambda: self.save(row, state)))
        return actions

    async def _after(self, work: Callable, target) -> None:
        argument = target['id'] if isinstance(target, dict) else target
        if await self.attempt(work, self.actor, argument):
            self.current_dialog.close()
            self.screen.refresh()

    async def save(self, row: dict, state: EditorState) -> None:
        lines = state.split_lines()
        if isinstance(lines, str):
            ui.notify(lines, type='warning')
            return
        if await self.attempt(allocations.allocate, self.actor, row['id'], lines, success='Écriture ventilée.'):
            self.current_dialog.close()
            self.screen.refresh()

    async def make_rule(self, row: dict) -> None:
        draft = await self.attempt(rules.draft_from_entry, self.actor, row['id'])
        if not isinstance(draft, RuleInput):
            return

        async def on_save(data: RuleInput) -> None:
            await run.io_bound(rules.save_rule, self.actor, self.screen.home.client_id, data)
            ui.notify(f'Règle « {data.name} » enregistrée : « Appliquer les règles » l’utilise.', type='positive')

        with self.host:
            dialog = rule_dialog(draft, title='Nouvelle règle', account_field=self.account_field, on_save=on_save)
        dialog.open()

    # --- removal and exports ---------------------------------------------------------------------------------
    def open_removal(self) -> None:
        async def preview(account_id: int, start: date | None, end: date | None) -> list:
            found = await self.attempt(
                entries.removal_preview, self.actor, account_id=account_id, start=start, end=end, exclusive=False
            )
            return found if isinstance(found, list) else []

        async def remove(account_id: int, start, end, ignore: bool, seen: list[int]) -> None:
            await self.attempt(
                entries.remove_pending,
                self.actor,
                account_id=account_id,
                start=start,
                end=end,
                ignore=ignore,
                seen_ids=seen,
                success='{result} écriture(s) supprimée(s).',
            )
            self.screen.refresh()

        with self.host:
            dialog = removal_dialog(self.screen.treasury.accounts, preview=preview, remove=remove)
        self.show(dialog)

    def open_export(self) -> None:
        client_id = self.screen.home.client_id

        async def on_export(kind: str, start: date | None, end: date) -> None:
            found = await self.attempt(
                ventilation_export.export, self.actor, client_id, kind=kind, end=end, start=start
            )
            if found and not isinstance(found, bool):
                ui.download.content(found.content, found.name, found.media_type)

        with self.host:
            dialog = export_dialog(on_export=on_export)
        self.show(dialog)
