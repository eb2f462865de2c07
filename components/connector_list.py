"""The firm's connectors on « Cabinet »: the list, the « + » catalogue and the dialog of a new connector."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from components.data_table import cell, data_table, empty_row, row, text_cell
from services.connectors import CATALOGUE, FORMAT_LABELS, ConnectorRow

HEADERS = ['Connecteur', 'Envoi', 'Destination', 'IBAN', '']


def connectors_table(
    rows: list[ConnectorRow], *, can_manage: bool, on_remove: Callable[[ConnectorRow], Awaitable[None]]
) -> None:
    with data_table(HEADERS, testid='connectors-table'):
        if not rows:
            empty_row(len(HEADERS), 'Aucun connecteur : les relevés vont tous au fichier global « Relevés ».')
        for connector in rows:
            with row(f'connector-row-{connector.id}'):
                text_cell(connector.name, f'connector-name-{connector.id}')
                text_cell(connector.description, f'connector-kind-{connector.id}')
                with cell(f'connector-target-{connector.id}'), ui.column().classes('gap-0'):
                    ui.label(connector.target).classes('text-xs break-all max-w-md')
                    if connector.secret:
                        ui.label(f'Secret de signature : {connector.secret}').classes(
                            'text-xs text-slate-500 break-all'
                        )
                text_cell(str(connector.ibans), f'connector-ibans-{connector.id}')
                with cell():
                    if can_manage:
                        ui.button(icon='delete', on_click=lambda c=connector: on_remove(c)).props(
                            f'flat round dense color=negative aria-label=Supprimer '
                            f'data-testid=connector-remove-{connector.id}'
                        )


def catalogue_button(on_pick: Callable[[str], None]) -> None:
    button = ui.button('Ajouter un connecteur', icon='add').props('unelevated data-testid=connector-add')
    with button, ui.menu().props('data-testid=connector-catalogue'):
        for kind, preset in CATALOGUE.items():
            item = ui.menu_item(on_click=lambda k=kind: on_pick(k)).props(f'data-testid=connector-kind-{kind}')
            item.mark(f'connector-kind-{kind}')
            with item, ui.column().classes('gap-0'):
                ui.label(preset.label)
                transport = 'Webhook HTTPS' if preset.transport == 'webhook' else 'Dossier de dépôt'
                ui.label(f'{transport} · {FORMAT_LABELS[preset.format]}').classes('text-xs text-slate-500')


def connector_form(
    kind: str, on_submit: Callable[[dict], Awaitable[str | None]], on_cancel: Callable[[], None]
) -> None:
    """The fields of one preset; ``on_submit`` returns an error to show under the address, or None."""
    preset = CATALOGUE[kind]
    ui.label(f'Nouveau connecteur : {preset.label}').classes('text-lg font-semibold')
    name = ui.input('Nom', value=preset.label).props('outlined dense data-testid=connector-form-name').classes('w-full')
    fmt = (
        ui.select(FORMAT_LABELS, value=preset.format, label='Format des relevés')
        .props('outlined dense data-testid=connector-form-format')
        .classes('w-full')
    )
    if preset.transport == 'webhook':
        target = ui.input('Adresse HTTPS de réception', placeholder='https://…').props(
            'outlined dense data-testid=connector-form-url'
        )
        secret = ui.input('Secret de signature (laissez vide pour en générer un)').props(
            'outlined dense data-testid=connector-form-secret'
        )
    else:
        target = ui.input('Dossier de dépôt (laissez vide pour un dossier de Relais)', placeholder='/…').props(
            'outlined dense data-testid=connector-form-folder'
        )
        secret = None
    target.classes('w-full')

    async def submit() -> None:
        values = {'kind': kind, 'name': name.value, 'format': fmt.value}
        values['url' if preset.transport == 'webhook' else 'folder'] = target.value or None
        if secret is not None:
            values['secret'] = secret.value or None
        target.error = await on_submit(values)

    with ui.row().classes('w-full justify-end'):
        ui.button('Annuler', on_click=on_cancel).props('flat')
        ui.button('Ajouter', on_click=submit).props('unelevated data-testid=connector-form-submit').mark(
            'connector-form-submit'
        )
