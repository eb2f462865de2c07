"""« Cabinet »: the firm's settings, for its Administrateur."""

from __future__ import annotations

from nicegui import ui

from pages.layout import confirm_with_strong_auth, page_frame
from pages.session import guard
from services import firms
from services.errors import DomainError, InvalidInput
from services.permissions import Actor


def firm_page():
    actor = guard('firm.edit')
    if not isinstance(actor, Actor):
        return actor
    firm = firms.get_firm(actor)
    with page_frame(actor, 'Cabinet'), ui.card().classes('w-full max-w-xl gap-2'):
        name = ui.input('Nom du cabinet', value=firm.name).props('outlined dense data-testid=firm-name')
        siren = ui.input('SIREN', value=firm.siren).props('outlined dense data-testid=firm-siren')
        for field in (name, siren):
            field.classes('w-full').without_auto_validation()

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

        ui.button('Enregistrer', on_click=save).props('no-caps unelevated data-testid=firm-save')
    return None
