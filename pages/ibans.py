"""« IBAN »: the firm's client IBANs, their mandate, whether they are active, and the connector of each."""

from __future__ import annotations

from nicegui import context, run, ui

from components.data_table import cell, data_table, empty_row, row, text_cell
from components.iban_parts import active_badge, connector_picker, grouped, mandate_badge
from pages.layout import page_frame
from pages.live import LIVE, Reads
from pages.session import guard
from services import clients, connectors, events, ibans, mandates
from services.errors import DomainError, InvalidInput
from services.ibans import IbanRow
from services.permissions import Actor, can
from services.validation import bank_of, iban

PER_PAGE = 25
HEADERS = ['Dossier', 'IBAN', 'Banque', 'Mandat', 'Actif', 'Connecteur', '']


def iban_cells(row_: IbanRow, choices: list, on_pick) -> None:
    text_cell(row_.client_name, f'iban-client-{row_.account_id}')
    text_cell(grouped(row_.iban), f'iban-value-{row_.account_id}', nowrap=True)
    with cell(f'iban-bank-{row_.account_id}'), ui.column().classes('gap-0'):
        ui.label(row_.bank_name)
        ui.label(f'BIC {row_.bic}' if row_.bic else 'BIC inconnu').classes('text-xs text-slate-500')
    with cell():
        mandate_badge(row_.mandate, row_.mandate_label, f'iban-mandate-{row_.account_id}')
    with cell():
        active_badge(row_.active, f'iban-active-{row_.account_id}')
    with cell(f'iban-connector-{row_.account_id}'):
        connector_picker(
            current_id=row_.connector_id,
            current_name=row_.connector_name,
            connectors=choices,
            on_pick=lambda connector_id, r=row_: on_pick(r, connector_id),
            testid=f'iban-connector-pick-{row_.account_id}',
        )
    with cell():
        ui.button(icon='more_horiz', on_click=lambda r=row_: ui.navigate.to(f'/ibans/{r.account_id}')).props(
            f'flat round dense aria-label="Détails de l’IBAN" data-testid=iban-open-{row_.account_id}'
        )


class IbanScreen:
    hears = events.IbanChanged

    def __init__(self, actor: Actor) -> None:
        self.actor, self.client = actor, context.client
        self.search, self.page = '', 1
        self.shown: ibans.IbanPage | None = None
        LIVE.add(self, context.client)

    def hear(self, event: events.IbanChanged) -> bool:
        return event.firm_id == self.actor.firm_id

    def view(self) -> ibans.IbanPage:
        return ibans.list_ibans(self.actor, search=self.search, page=self.page, per_page=PER_PAGE)

    def redraw(self, reads: Reads) -> None:
        """Drawn again only when a row changed: the statements an approved IBAN receives change nothing here, and
        a redraw would close the connector menu under the user's finger."""
        if self.client.id in self.client.instances and self.view() != self.shown:
            with self.client:
                self.render.refresh()

    @ui.refreshable_method
    def render(self) -> None:
        view = self.shown = self.view()
        choices = connectors.list_connectors(self.actor)
        with data_table(HEADERS, testid='iban-table'):
            if not view.rows:
                empty_row(
                    len(HEADERS), 'Aucun IBAN' + (' pour cette recherche.' if self.search else ' pour le moment.')
                )
            for item in view.rows:
                with row(f'iban-row-{item.account_id}'):
                    iban_cells(item, choices, self.attach)
        pages = max(1, -(-view.total // PER_PAGE))
        with ui.row().classes('w-full items-center justify-between'):
            ui.label(f'{view.total} IBAN').classes('text-sm text-slate-600').props('data-testid=iban-total')
            if pages > 1:
                ui.pagination(1, pages, direction_links=True, value=self.page, on_change=self.go).props(
                    'data-testid=iban-pages'
                )

    def go(self, event) -> None:
        self.page = event.value
        self.render.refresh()

    def find(self, text: str) -> None:
        self.search, self.page = text or '', 1
        self.render.refresh()

    async def attach(self, item: IbanRow, connector_id: int | None) -> None:
        try:
            await run.io_bound(connectors.attach, self.actor, item.account_id, connector_id)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)
            return
        ui.notify(
            'IBAN détaché de son connecteur.' if connector_id is None else 'Connecteur associé à l’IBAN.',
            type='positive',
        )
        self.render.refresh()


def add_iban_dialog(actor: Actor, screen: IbanScreen) -> ui.dialog:
    def found(text: str) -> dict[int, str]:
        page = clients.list_clients(actor, search=text, page=1, per_page=50)
        return {c.id: f'{c.legal_name} ({c.siren})' for c in page.rows}

    with ui.dialog() as dialog, ui.card().classes('w-[min(36rem,94vw)] gap-3'):
        ui.label('Ajouter un IBAN').classes('text-lg font-semibold')
        client = (
            ui.select(found(''), label='Dossier (tapez pour chercher)', with_input=True)
            .props('outlined dense data-testid=iban-add-client')
            .classes('w-full')
        )

        def refill(event) -> None:  # thousands of files: the choices come from the server as the user types
            options = found(str(event.args or ''))
            if client.value in client.options:
                options.setdefault(client.value, client.options[client.value])
            client.set_options(options, value=client.value)

        client.on('input-value', refill)
        value = ui.input('IBAN').props('outlined dense data-testid=iban-add-value').classes('w-full')
        bank = ui.label().classes('text-sm text-slate-600').props('data-testid=iban-add-bank')

        def describe() -> None:
            compact, problem = iban(value.value or '')
            complete = len((value.value or '').replace(' ', '')) >= 15
            if compact:
                name, bic = bank_of(compact)
                bank.set_text(f'{name or "Banque inconnue"} · BIC {bic or "inconnu"}')
            else:
                bank.set_text(problem if complete else '')
            bank.classes(replace='text-sm ' + ('text-red-800' if complete and not compact else 'text-slate-600'))
            value.error = problem if complete and not compact else None

        value.on_value_change(describe)

        async def add() -> None:
            if client.value is None:
                client.error = 'Choisissez le dossier.'
                return
            try:
                await run.io_bound(mandates.add_iban, actor, client_id=client.value, value=value.value or '')
            except InvalidInput as problem:
                value.error = problem.errors.get('iban', str(problem))
                return
            except DomainError as problem:
                ui.notify(str(problem), type='negative', multi_line=True)
                return
            ui.notify('IBAN ajouté : son mandat est à faire signer au client.', type='positive')
            dialog.close()
            screen.render.refresh()

        with ui.row().classes('w-full justify-end'):
            ui.button('Annuler', on_click=dialog.close).props('flat')
            ui.button('Ajouter', on_click=add).props('unelevated data-testid=iban-add-submit').mark('iban-add-submit')
    return dialog


def ibans_page():
    actor = guard('iban.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'IBAN'):
        screen = IbanScreen(actor)
        with ui.row().classes('w-full items-center justify-between gap-2'):
            ui.input(placeholder='Rechercher un IBAN ou un dossier', on_change=lambda e: screen.find(e.value)).props(
                'outlined dense clearable debounce=300 data-testid=iban-search'
            ).classes('w-full sm:w-96')
            if can(actor, 'bank.manage'):
                dialog = add_iban_dialog(actor, screen)
                ui.button('Ajouter un IBAN', icon='add', on_click=dialog.open).props('unelevated data-testid=iban-add')
        screen.render()
