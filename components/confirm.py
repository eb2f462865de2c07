"""A yes/no dialog with the product's words (« CONFIRMER » / « ANNULER »)."""

from __future__ import annotations

from nicegui import ui


async def confirm(title: str, text: str, *, confirm_label: str = 'CONFIRMER', testid: str = 'confirm') -> bool:
    with ui.dialog() as dialog, ui.card().classes('w-[min(30rem,92vw)] gap-3'):
        ui.label(title).classes('text-lg font-semibold')
        ui.label(text).classes('text-sm text-slate-700')
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('ANNULER', on_click=lambda: dialog.submit(False)).props(f'flat data-testid={testid}-cancel').mark(
                f'{testid}-cancel'
            )
            ui.button(confirm_label, on_click=lambda: dialog.submit(True)).props(
                f'unelevated data-testid={testid}-ok'
            ).mark(f'{testid}-ok')
    result = await dialog
    dialog.delete()
    return bool(result)
