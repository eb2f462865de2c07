"""« Dossiers »: the firm's client files, searched, sorted and paged on the server, and their creation."""

from __future__ import annotations

from nicegui import ui

from components.client_form import ClientForm
from components.server_table import PageRequest, ServerTable
from pages.layout import page_frame
from pages.session import guard
from services import clients
from services.clients import ClientInput
from services.permissions import Actor, can


def _column(name: str, label: str, *, sortable: bool = False, desktop_only: bool = False) -> dict:
    hidden_on_phone = {'classes': 'gt-xs', 'headerClasses': 'gt-xs'} if desktop_only else {}
    return {'name': name, 'label': label, 'field': name, 'align': 'left', 'sortable': sortable, **hidden_on_phone}


COLUMNS = [
    _column('legal_name', 'Raison sociale', sortable=True),
    _column('siren', 'SIREN', sortable=True),
    _column('representative', 'Représentant', desktop_only=True),
    _column('contact_email', 'E-mail', desktop_only=True),
    _column('contact_phone', 'Téléphone', desktop_only=True),
]


def _format_siren(siren: str) -> str:
    return f'{siren[:3]} {siren[3:6]} {siren[6:]}'


def _format_phone(phone: str | None) -> str:
    if phone and len(phone) == 10 and phone.isdigit():
        return ' '.join(phone[i : i + 2] for i in range(0, 10, 2))
    return phone or ''


def _row(client: clients.Client) -> dict:
    return {
        'id': client.id,
        'legal_name': client.legal_name,
        'siren': _format_siren(client.siren),
        'representative': client.representative or '',
        'contact_email': client.contact_email or '',
        'contact_phone': _format_phone(client.contact_phone),
    }


def _create_dialog(actor: Actor, table: ServerTable) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-[min(44rem,94vw)]'):
        ui.label('Nouveau dossier').classes('text-lg font-semibold')

        async def create(data: ClientInput) -> None:
            client = clients.create_client(actor, data)
            ui.notify(f'Dossier « {client.legal_name} » créé.', type='positive')
            dialog.close()
            table.reload()

        ClientForm(None, submit_label='Créer le dossier', on_submit=create)
    return dialog


def clients_page():
    actor = guard('client.list')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Dossiers'):
        search = {'text': ''}

        def fetch(request: PageRequest) -> tuple[list[dict], int]:
            result = clients.list_clients(
                actor,
                search=search['text'],
                sort=request.sort or 'legal_name',
                descending=request.descending,
                page=request.page,
                per_page=request.per_page,
            )
            return [_row(client) for client in result.rows], result.total

        with ui.row().classes('w-full items-center gap-2'):
            box = (
                ui.input(placeholder='Rechercher (raison sociale, SIREN)')
                .props('outlined dense clearable debounce=300 data-testid=clients-search')
                .classes('grow min-w-[14rem]')
            )
            new_button = ui.button('Nouveau dossier', icon='add').props('no-caps unelevated data-testid=client-new')
        table = ServerTable(
            columns=COLUMNS,
            fetch=fetch,
            sort='legal_name',
            testid='clients-table',
            row_testid='client-row',
            on_row_click=lambda row: ui.navigate.to(f'/dossiers/{row["id"]}'),
        )
        table.classes('w-full')

        def on_search(event) -> None:
            search['text'] = event.value or ''
            table.reload(page=1)

        box.on_value_change(on_search)
        if can(actor, 'client.create'):
            new_button.on_click(lambda: _create_dialog(actor, table).open())
        else:
            new_button.delete()
    return None
