"""The client-file form (« dossier »): fields, per-field French errors, one submit callback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from services.clients import ClientInput
from services.errors import DomainError, InvalidInput

FIELDS = (
    ('legal_name', 'Raison sociale', 'client-legal-name'),
    ('siren', 'SIREN', 'client-siren'),
    ('siret', 'SIRET (facultatif)', 'client-siret'),
    ('representative', 'Représentant légal', 'client-representative'),
    ('contact_email', 'E-mail de contact', 'client-email'),
    ('contact_phone', 'Téléphone', 'client-phone'),
)


class ClientForm:
    def __init__(
        self,
        initial: ClientInput | None,
        *,
        submit_label: str = 'Enregistrer',
        on_submit: Callable[[ClientInput], Awaitable[None]] | None = None,
        read_only: bool = False,
    ) -> None:
        self.on_submit = on_submit
        self.inputs: dict[str, ui.input] = {}
        with ui.grid().classes('w-full grid-cols-1 sm:grid-cols-2 gap-x-4 gap-y-1'):
            for name, label, testid in FIELDS:
                value = getattr(initial, name) if initial else ''
                field = ui.input(label, value=value or '').props(f'outlined dense data-testid={testid}')
                field.classes('w-full').without_auto_validation()
                if read_only:
                    field.props('readonly')
                self.inputs[name] = field
        self.error = ui.label().classes('text-sm text-red-700').props('role=alert data-testid=client-form-error')
        if on_submit is not None and not read_only:
            self.button = ui.button(submit_label, on_click=self.submit).props(
                'no-caps unelevated data-testid=client-submit'
            )

    def value(self) -> ClientInput:
        return ClientInput(**{name: (field.value or '') for name, field in self.inputs.items()})

    async def submit(self) -> None:
        if not self.button.enabled:
            return
        for field in self.inputs.values():
            field.error = None
        self.error.text = ''
        self.button.disable()
        try:
            await self.on_submit(self.value())
        except InvalidInput as problem:
            for name, message in problem.errors.items():
                if name in self.inputs:
                    self.inputs[name].error = message
            self.error.text = 'Vérifiez les champs signalés.'
        except DomainError as problem:
            self.error.text = str(problem)
        finally:
            self.button.enable()
