"""« Maintenances »: an Administrateur plans a bank's maintenance window; the banner announces it."""

from __future__ import annotations

from nicegui import ui

from components.data_table import cell, data_table, empty_row, row, text_cell
from pages.layout import page_frame
from pages.session import guard
from services import health, maintenance
from services.errors import DomainError, InvalidInput
from services.formatting import moment, parse_local_moment
from services.permissions import Actor


def _form(actor: Actor, on_saved) -> None:
    banks, _people = health.filter_choices(actor)
    with ui.card().classes('w-full gap-2'):
        ui.label('Planifier une maintenance').classes('text-lg font-semibold')
        with ui.row().classes('w-full gap-2 items-start'):
            # A free field with suggestions: a window may be planned for a bank no connection uses yet
            bank = (
                ui.input('Banque', autocomplete=banks)
                .props('outlined dense data-testid=maintenance-bank')
                .classes('min-w-[14rem]')
            )
            start = ui.input('Début').props(
                'outlined dense type=datetime-local stack-label data-testid=maintenance-start'
            )
            end = ui.input('Fin').props('outlined dense type=datetime-local stack-label data-testid=maintenance-end')
            kind = (
                ui.select(maintenance.KINDS, value='sync', label='Type')
                .props('outlined dense data-testid=maintenance-kind')
                .classes('min-w-[14rem]')
            )
        message = ui.textarea('Message affiché').props('outlined dense autogrow data-testid=maintenance-message')
        message.classes('w-full')
        fields = {'bank': bank, 'start': start, 'end': end, 'kind': kind}
        for name, field in {**fields, 'message': message}.items():
            field.mark(f'maintenance-{name}')

        def save() -> None:
            for field in fields.values():
                field.error = None
            try:
                maintenance.schedule(
                    actor,
                    bank_name=bank.value or '',
                    starts_at=parse_local_moment(start.value),
                    ends_at=parse_local_moment(end.value),
                    kind=kind.value,
                    message=message.value or '',
                )
            except InvalidInput as problem:
                for name, text in problem.errors.items():
                    fields[name].error = text
                ui.notify('Vérifiez les champs signalés.', type='negative')
                return
            ui.notify('Maintenance planifiée.', type='positive')
            on_saved()

        ui.button('Planifier', on_click=save).props('unelevated no-caps data-testid=maintenance-save')


def maintenance_page():
    actor = guard('maintenance.manage')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Maintenances'):

        @ui.refreshable
        def windows() -> None:
            current = maintenance.current_and_coming(actor, within=maintenance.LISTED)
            with data_table(['Banque', 'Début', 'Fin', 'Type', 'Message', ''], testid='maintenance-table'):
                if not current:
                    empty_row(6, 'Aucune maintenance prévue.')
                for window in current:
                    with row(f'maintenance-row-{window.id}'):
                        text_cell(window.bank_name)
                        text_cell(moment(window.starts_at), nowrap=True)
                        text_cell(moment(window.ends_at), nowrap=True)
                        text_cell(maintenance.KINDS[window.kind])
                        text_cell(window.message)
                        with cell():
                            ui.button('Annuler', on_click=lambda w=window.id: cancel(w)).props(
                                f'flat dense no-caps color=negative data-testid=maintenance-cancel-{window.id}'
                            )

        def cancel(window_id: int) -> None:
            try:
                maintenance.cancel(actor, window_id)
            except DomainError as problem:
                ui.notify(str(problem), type='negative')
            windows.refresh()

        _form(actor, windows.refresh)
        ui.label('Maintenances en cours et à venir').classes('text-lg font-semibold')
        windows()
    return None
