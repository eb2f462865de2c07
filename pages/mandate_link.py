"""/lien/<token> for a mandate: the client reads it, certifies, receives a one-time code and signs, on a phone."""

from __future__ import annotations

from nicegui import background_tasks, run, ui

from components.auth_card import error_label
from components.iban_parts import grouped
from services import bank_channel, mandate_links
from services.errors import InvalidInput
from services.mandate_links import MandateView

MANDATE_CERTIFICATION = (
    'Je certifie être habilité(e) à signer ce mandat pour l’entreprise et autoriser ma banque à transmettre au cabinet '
    'les relevés de ce compte, jusqu’à révocation.'
)


class MandateFlow:
    def __init__(self, content: ui.column, token: str, view: MandateView) -> None:
        self.content, self.token, self.view = content, token, view

    def show(self) -> None:
        view = self.view
        ui.label('Mandat de relevés bancaires').classes('text-xl font-semibold').props('data-testid=link-title')
        ui.label(
            f'{view.legal_name} autorise sa banque, {view.bank_name}, à envoyer chaque jour au cabinet '
            f'{view.firm_name} les relevés du compte ci-dessous.'
        ).classes('text-sm text-slate-700').props('data-testid=mandate-text')
        ui.label(grouped(view.iban)).classes('font-mono text-base').props('data-testid=mandate-iban')
        if view.status != 'to_sign':
            ui.label('Ce mandat est déjà signé. Merci !').props('data-testid=link-nothing')
            return
        name = ui.input('VOTRE NOM').props('outlined autocomplete=name data-testid=link-name').classes('w-full')
        certified = ui.checkbox(MANDATE_CERTIFICATION).props('data-testid=link-certify').classes('text-sm')
        with ui.row().classes('w-full items-start gap-2 no-wrap'):
            code = (
                ui.input('Code reçu')
                .props('outlined inputmode=numeric autocomplete=one-time-code maxlength=6 data-testid=mandate-code')
                .classes('grow')
            )
            ui.button('Recevoir un code', on_click=lambda: self.send_code(code)).props(
                'outline no-caps data-testid=mandate-send-code'
            )
        error = error_label('link-error')

        async def sign() -> None:
            button.disable()
            for field in (name, code):
                field.error = None
            try:
                mandate_id = await run.io_bound(
                    mandate_links.sign,
                    self.token,
                    signer_name=name.value or '',
                    certified=certified.value,
                    code=code.value or '',
                )
            except InvalidInput as problem:
                name.error, code.error = problem.errors.get('name'), problem.errors.get('code')
                error.text = problem.errors.get('certified', '')
                button.enable()
                return
            background_tasks.create(bank_channel.follow_mandates(), name=f'submit mandate {mandate_id}')
            self.signed()

        button = (
            ui.button('Signer le mandat', on_click=sign).props('unelevated data-testid=mandate-sign').classes('w-full')
        )

    async def send_code(self, code: ui.input) -> None:
        try:
            where = await run.io_bound(mandate_links.send_code, self.token)
        except InvalidInput as problem:
            code.error = ' '.join(problem.errors.values())
            return
        code.error = None
        ui.notify(f'Code envoyé ({where}). Il est valable 10 minutes.', type='positive')

    def signed(self) -> None:
        self.content.clear()
        with self.content:
            ui.icon('check_circle', size='3rem').classes('text-green-700 self-center')
            ui.label('Mandat signé.').classes('text-xl font-semibold').props('data-testid=link-done')
            ui.label('Votre banque va le traiter ; votre cabinet recevra ensuite vos relevés chaque jour.').classes(
                'text-sm text-slate-700'
            )
