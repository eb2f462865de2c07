"""A client file: its details (editable), the collaborators assigned to it, and its registered persons."""

from __future__ import annotations

from nicegui import ui

from components.client_form import ClientForm
from components.person_list import PersonsSection
from pages.layout import confirm_with_strong_auth, page_frame
from pages.session import guard
from services import clients, persons
from services.clients import ClientInput
from services.errors import DomainError, NotFound
from services.permissions import Actor, can


def _assignments(actor: Actor, client_id: int) -> None:
    ui.label('Collaborateurs affectés').classes('text-lg font-semibold mt-4')
    assigned = clients.assigned_collaborators(actor, client_id)
    if not can(actor, 'client.assign'):
        names = ', '.join(person.name for person in assigned) or 'Aucun collaborateur affecté.'
        ui.label(names).props('data-testid=client-assigned')
        return
    options = {person.id: f'{person.name} ({person.email})' for person in clients.collaborators(actor)}
    chooser = ui.select(options, value=[person.id for person in assigned], multiple=True, label='Collaborateurs').props(
        'outlined use-chips data-testid=client-assign-select'
    )
    chooser.classes('w-full')

    async def save() -> None:
        if not await confirm_with_strong_auth(
            actor, purpose='client.assign', reason='Modifier les affectations demande une authentification forte.'
        ):
            return
        try:
            clients.assign_collaborators(actor, client_id, list(chooser.value or []))
        except DomainError as problem:
            ui.notify(str(problem), type='negative')
            return
        ui.notify('Affectations enregistrées.', type='positive')

    ui.button('Enregistrer les affectations', on_click=save).props('no-caps outline data-testid=client-assign-save')


def client_detail_page(client_id: int):
    actor = guard('client.view')
    if not isinstance(actor, Actor):
        return actor
    try:
        client = clients.get_client(actor, client_id)
    except NotFound as missing:
        with page_frame(actor, 'Dossier'):
            ui.label(str(missing)).classes('text-red-700').props('data-testid=not-found')
            ui.link('Retour aux dossiers', '/dossiers').props('data-testid=back-to-clients')
        return None
    with page_frame(actor, client.legal_name):
        with ui.row().classes('w-full items-center justify-between'):
            ui.link('← Tous les dossiers', '/dossiers').classes('text-sm').props('data-testid=back-to-clients')
            with ui.row().classes('gap-2'):
                if can(actor, 'ventilation.view'):
                    ui.button(
                        'Ventilation',
                        icon='call_split',
                        on_click=lambda: ui.navigate.to(f'/dossiers/{client_id}/ventilation'),
                    ).props('outline no-caps data-testid=client-ventilation')
                if can(actor, 'bank.view'):
                    ui.button(
                        'Gestion des comptes bancaires',
                        icon='account_balance',
                        on_click=lambda: ui.navigate.to(f'/dossiers/{client_id}/comptes-bancaires'),
                    ).props('outline no-caps data-testid=client-bank-accounts')

        async def save(data: ClientInput) -> None:
            updated = clients.update_client(actor, client_id, data)
            ui.notify(f'Dossier « {updated.legal_name} » enregistré.', type='positive')

        with ui.card().classes('w-full'):
            ClientForm(
                clients.as_input(client),
                submit_label='Enregistrer',
                on_submit=save,
                read_only=not can(actor, 'client.edit'),
            )
        _assignments(actor, client_id)
        if can(actor, 'person.register'):
            PersonsSection(
                load=lambda: persons.list_persons(actor, client_id),
                register=lambda data: persons.register_person(actor, client_id, data),
                update=lambda person_id, data: persons.update_person(actor, person_id, data),
                remove=lambda person_id: persons.remove_person(actor, person_id),
            )
    return None
