"""« Authentification forte »: a dialog that asks a fresh TOTP code before a sensitive action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from services.errors import DomainError


async def ask_strong_auth(verify: Callable[[str], Awaitable[None]], *, reason: str) -> bool:
    """True once ``verify(code)`` accepted a code; False when the person cancels."""
    with ui.dialog().props('persistent') as dialog, ui.card().classes('w-[min(26rem,92vw)] gap-3'):
        ui.label('Authentification forte').classes('text-lg font-semibold')
        ui.label(reason).classes('text-sm text-slate-600')
        code = (
            ui.input("Code d'authentification forte")
            .props(
                'inputmode=numeric autocomplete=one-time-code maxlength=6 outlined autofocus '
                'data-testid=strong-auth-code'
            )
            .classes('w-full')
        )
        error = ui.label().classes('text-sm text-red-700').props('role=alert data-testid=strong-auth-error')

        async def submit() -> None:
            confirm.disable()
            try:
                await verify(code.value or '')
            except DomainError as problem:
                error.text = str(problem)
                code.value = ''
            else:
                dialog.submit(True)
            finally:
                confirm.enable()

        code.on('keydown.enter', submit)
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Annuler', on_click=lambda: dialog.submit(False)).props(
                'flat no-caps data-testid=strong-auth-cancel'
            )
            confirm = ui.button('Valider', on_click=submit).props('no-caps data-testid=strong-auth-submit')
    result = await dialog
    dialog.clear()
    dialog.delete()
    return bool(result)
