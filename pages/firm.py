"""« Cabinet », for a Superviseur or an Administrateur: the firm's settings (changed by its Administrateur) and its
connectors (added and removed by both). A Collaborateur picks among the connectors on the IBAN screens."""

from __future__ import annotations

from nicegui import run, ui

from components.confirm import confirm
from components.connector_list import catalogue_button, connector_form, connectors_table
from pages.layout import confirm_with_strong_auth, page_frame
from pages.session import guard
from services import connectors, firms
from services.connectors import ConnectorRow
from services.errors import DomainError, InvalidInput
from services.permissions import Actor, can


def settings_card(actor: Actor) -> None:
    firm = firms.get_firm(actor)
    with ui.card().classes('w-full max-w-xl gap-2'):
        name = ui.input('Nom du cabinet', value=firm.name).props('outlined dense data-testid=firm-name')
        siren = ui.input('SIREN', value=firm.siren).props('outlined dense data-testid=firm-siren')
        for field in (name, siren):
            field.classes('w-full').without_auto_validation()
            field.set_enabled(can(actor, 'firm.edit'))

        async def save() -> None:
            name.error = siren.error = None
            if not await confirm_with_strong_auth(
                actor, purpose='firm.edit', reason='Modifier le cabinet demande une authentification forte.'
            ):
                return
            try:
                firms.update_firm(actor, name=name.value or '', siren=siren.value or '')
            except InvalidInput as problem:
                name.error, siren.error = problem.errors.get('name'), problem.errors.get('siren')
                return
            except DomainError as problem:
                ui.notify(str(problem), type='negative')
                return
            ui.notify('Cabinet enregistré.', type='positive')

        if can(actor, 'firm.edit'):
            ui.button('Enregistrer', on_click=save).props('no-caps unelevated data-testid=firm-save')


class ConnectorsSection:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.manage = can(actor, 'connector.manage')

    @ui.refreshable_method
    def render(self) -> None:
        with ui.row().classes('w-full items-center justify-between mt-4'):
            ui.label('Connecteurs').classes('text-lg font-semibold')
            if self.manage:
                catalogue_button(self.open_form)
        connectors_table(connectors.list_connectors(self.actor), can_manage=self.manage, on_remove=self.remove)

    def open_form(self, kind: str) -> None:
        with ui.dialog() as dialog, ui.card().classes('w-[min(36rem,94vw)] gap-3').props('data-testid=connector-form'):

            async def submit(values: dict) -> str | None:
                try:
                    await run.io_bound(lambda: connectors.add_connector(self.actor, **values))
                except InvalidInput as problem:
                    return ' '.join(problem.errors.values())
                except DomainError as problem:
                    ui.notify(str(problem), type='negative', multi_line=True)
                    return None
                ui.notify(f'Connecteur « {values["name"]} » ajouté.', type='positive')
                dialog.close()
                self.render.refresh()
                return None

            connector_form(kind, submit, dialog.close)
        dialog.open()

    async def remove(self, connector: ConnectorRow) -> None:
        text = f'« {connector.name} » ne recevra plus de relevés.'
        if not await confirm(
            'Supprimer le connecteur', text, confirm_label='Supprimer', testid='connector-remove-confirm'
        ):
            return
        try:
            await run.io_bound(connectors.remove_connector, self.actor, connector.id)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True, timeout=0, close_button='OK')
            return
        ui.notify('Connecteur supprimé.', type='positive')
        self.render.refresh()


def firm_page():
    actor = guard('connector.manage')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Cabinet'):
        settings_card(actor)
        ConnectorsSection(actor).render()
    return None
