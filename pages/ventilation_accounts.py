"""« Plan comptable » of a client file: search the whole chart (the PCG and the file's own accounts), and manage the
file's own accounts (« 401EDF », « 6061001 »…) for those who may change its rules."""

from __future__ import annotations

from nicegui import ui

from components.confirm import confirm
from components.data_table import cell, data_table, empty_row, row, text_cell
from components.ventilation_nav import ventilation_nav
from pages.layout import page_frame
from pages.session import guard
from services import chart
from services.chart import OwnAccount
from services.errors import DomainError, InvalidInput, NotFound
from services.permissions import Actor

COLLECTIVE_CHOICES = {'': 'Aucun (compte général)'} | {n: f'{n} {label}' for n, label in chart.COLLECTIVES.items()}
RESULTS = 50


class AccountFields:
    """Number, label and collective of an own account, with the French message of each field under it."""

    def __init__(self, prefix: str, account: OwnAccount | None = None) -> None:
        with ui.row().classes('w-full items-start gap-3 flex-wrap'):
            self.number = self._input('Numéro', account.number if account else '', f'{prefix}-number', 'w-40')
            self.label = self._input('Intitulé', account.label if account else '', f'{prefix}-label', 'grow min-w-60')
            self.collective = ui.select(
                COLLECTIVE_CHOICES, label='Compte collectif', value=(account.collective or '') if account else ''
            ).props(f'outlined dense data-testid={prefix}-collective')
            self.collective.classes('w-56').mark(f'{prefix}-collective')
        self.error = ui.label().classes('text-sm text-red-700').props(f'role=alert data-testid={prefix}-error')

    @staticmethod
    def _input(label: str, value: str, testid: str, classes: str) -> ui.input:
        field = ui.input(label, value=value).props(f'outlined dense data-testid={testid}').classes(classes)
        return field.without_auto_validation().mark(testid)

    def values(self) -> dict[str, str | None]:
        return {
            'number': self.number.value or '',
            'label': self.label.value or '',
            'collective': self.collective.value or None,
        }

    def show(self, problem: DomainError | None) -> None:
        """Put each message under its field (None clears them)."""
        errors = problem.errors if isinstance(problem, InvalidInput) else {}
        self.number.error = errors.get('number')
        self.label.error = errors.get('label')
        self.collective.error = errors.get('collective')
        self.error.text = '' if problem is None else 'Vérifiez les champs signalés.' if errors else str(problem)

    def reset(self) -> None:
        self.number.value, self.label.value, self.collective.value = '', '', ''


class ChartScreen:
    def __init__(self, actor: Actor, client_id: int, may_edit: bool) -> None:
        self.actor, self.client_id, self.may_edit = actor, client_id, may_edit
        self.dialogs = ui.element('div')  # dialogs live here: refreshing the list must not delete an open one
        ui.label('Rechercher dans le plan comptable').classes('text-lg font-semibold mt-2')
        self.search = ui.input(
            'Rechercher un compte', placeholder='Numéro ou mots de l’intitulé : 606, honoraires, edf…'
        ).props('outlined dense clearable data-testid=chart-search')
        self.search.classes('w-full max-w-xl').mark('chart-search')
        self.search.on_value_change(lambda: self.results.refresh())
        self.results()
        ui.label('Comptes du dossier').classes('text-lg font-semibold mt-4')
        self.own_list()
        if may_edit:
            ui.label('Ajouter un compte').classes('text-base font-semibold mt-2')
            self.form = AccountFields('account')
            ui.button('Ajouter', icon='add', on_click=self.add).props(
                'no-caps unelevated data-testid=account-add'
            ).mark('account-add')

    @ui.refreshable_method
    def results(self) -> None:
        text = self.search.value or ''
        try:
            found = chart.search_accounts(self.actor, self.client_id, text, limit=RESULTS)
        except DomainError as problem:
            ui.label(str(problem)).classes('text-red-700').props('role=alert')
            return
        with data_table(['N°', 'Intitulé', ''], testid='chart-results'):
            if not found:
                empty_row(3, f'Aucun compte ne correspond à « {text.strip()} ».')
            for choice in found:
                with row(f'chart-result-{choice.number}'):
                    with cell():
                        ui.label(choice.number).classes('whitespace-nowrap').mark(f'chart-result-{choice.number}')
                        # (the row carries the data-testid; the mark is what NiceGUI's simulated user finds)
                    text_cell(choice.label)
                    with cell():
                        if choice.own:
                            ui.badge('Compte du dossier').props(
                                f'outline color=primary data-testid=chart-result-own-{choice.number}'
                            )
        if len(found) == RESULTS:
            ui.label(f'Les {RESULTS} premiers comptes : précisez la recherche pour voir les autres.').classes(
                'text-xs text-slate-500'
            )

    @ui.refreshable_method
    def own_list(self) -> None:
        accounts = chart.list_own_accounts(self.actor, self.client_id)
        headers = ['N°', 'Intitulé', 'Compte collectif'] + ([''] if self.may_edit else [])
        with data_table(headers, testid='own-accounts'):
            if not accounts:
                empty_row(len(headers), 'Aucun compte propre au dossier pour le moment.')
            for account in accounts:
                with row(f'own-account-{account.number}'):
                    text_cell(account.number, f'own-account-number-{account.number}', nowrap=True)
                    with cell():
                        testid = f'own-account-label-{account.number}'
                        ui.label(account.label).props(f'data-testid={testid}').mark(testid)
                    with cell():
                        collective = COLLECTIVE_CHOICES[account.collective] if account.collective else ''
                        testid = f'own-account-collective-{account.number}'
                        ui.label(collective).props(f'data-testid={testid}').mark(testid)
                    if self.may_edit:
                        self._actions(account)

    def _actions(self, account: OwnAccount) -> None:
        with cell(), ui.row().classes('gap-1 no-wrap'):
            ui.button('Modifier', on_click=lambda a=account: self.edit(a)).props(
                f'flat dense no-caps data-testid=account-edit-{account.number}'
            ).mark(f'account-edit-{account.number}')
            ui.button('Supprimer', on_click=lambda a=account: self.delete(a)).props(
                f'flat dense no-caps color=negative data-testid=account-delete-{account.number}'
            ).mark(f'account-delete-{account.number}')

    def _save(self, fields: AccountFields, account_id: int | None) -> OwnAccount | None:
        """The saved account, or None once the problem is shown."""
        fields.show(None)
        try:
            return chart.save_own_account(self.actor, self.client_id, **fields.values(), account_id=account_id)
        except DomainError as problem:
            fields.show(problem)
            return None

    async def _changed(self, message: str) -> None:
        """Redraw both lists now: a refresh left to run in the background would be lost with a closed dialog."""
        ui.notify(message, type='positive')
        await self.own_list.refresh()
        await self.results.refresh()

    async def add(self) -> None:
        saved = self._save(self.form, None)
        if saved is not None:
            self.form.reset()
            await self._changed(f'Compte {saved.number} ajouté.')

    def edit(self, account: OwnAccount) -> None:
        with self.dialogs, ui.dialog() as dialog, ui.card().classes('w-[min(40rem,94vw)] gap-3'):
            ui.label(f'Modifier le compte {account.number}').classes('text-lg font-semibold')
            fields = AccountFields('account-edit', account)

            async def save() -> None:
                saved = self._save(fields, account.id)
                if saved is not None:
                    await self._changed(f'Compte {saved.number} enregistré.')
                    dialog.close()

            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('ANNULER', on_click=dialog.close).props('flat data-testid=account-edit-cancel')
                ui.button('ENREGISTRER', on_click=save).props('unelevated data-testid=account-edit-save').mark(
                    'account-edit-save'
                )
        dialog.on('hide', dialog.delete)
        dialog.open()

    async def delete(self, account: OwnAccount) -> None:
        question = f'Supprimer le compte « {account.number} — {account.label} » du dossier ?'
        with self.dialogs:
            if not await confirm('Supprimer le compte', question, testid='account-delete-confirm'):
                return
        try:
            chart.delete_own_account(self.actor, self.client_id, account.id)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)
            return
        await self._changed(f'Compte {account.number} supprimé.')


def ventilation_accounts_page(client_id: int):
    actor = guard('ventilation.view')
    if not isinstance(actor, Actor):
        return actor
    try:
        own = chart.own_chart(actor, client_id)
    except NotFound as missing:
        with page_frame(actor, 'Plan comptable'):
            ui.label(str(missing)).classes('text-red-700').props('data-testid=not-found')
        return None
    with page_frame(actor, 'Plan comptable'):
        ventilation_nav(actor, client_id, current='ventilation/comptes', client_name=own.client_name)
        ChartScreen(actor, client_id, own.may_edit)
    return None
