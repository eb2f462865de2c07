"""One IBAN (« … » of the IBAN list): connector, mandate and its history, statements and deliveries, a statement
file to drop by hand, and « Pourquoi mes relevés ne sont pas récupérés ? »."""

from __future__ import annotations

from nicegui import background_tasks, context, run, ui
from nicegui import events as ui_events

from components.confirm import confirm
from components.iban_parts import active_badge, connector_picker, grouped, mandate_badge
from components.iban_statements import diagnosis_list, history_list, statements_list
from components.statement_upload import statement_upload
from pages.failures import in_background
from pages.layout import page_frame
from pages.live import LIVE, Reads
from pages.session import guard
from services import (
    bank_channel,
    connectors,
    deliveries,
    events,
    iban_detail,
    ibans,
    import_jobs,
    mandates,
    support,
)
from services.errors import DomainError, NotFound
from services.permissions import Actor, can


class IbanDetailScreen:
    hears = events.IbanChanged

    def __init__(self, actor: Actor, account_id: int) -> None:
        self.actor, self.account_id, self.client = actor, account_id, context.client
        LIVE.add(self, context.client)

    def hear(self, event: events.IbanChanged) -> bool:
        return event.account_id == self.account_id

    def redraw(self, reads: Reads) -> None:
        if self.client.id in self.client.instances:
            with self.client:
                self.render.refresh()

    async def attempt(self, action, *args, success: str | None = None, **kwargs) -> bool:
        try:
            await run.io_bound(action, *args, **kwargs)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)
            return False
        if success:
            ui.notify(success, type='positive', multi_line=True)
        self.render.refresh()
        return True

    @ui.refreshable_method
    def render(self) -> None:
        item = ibans.get_iban(self.actor, self.account_id)
        self.header(item)
        with ui.row().classes('w-full gap-4 items-start'):
            self.mandate_card(item)
            self.upload_card()
        ui.label('Relevés').classes('text-lg font-semibold mt-2')
        statements_list(
            iban_detail.statements_of(self.actor, self.account_id),
            on_resend=self.resend,
            connector_name=item.connector_name,
        )
        self.diagnosis()

    def header(self, item: ibans.IbanRow) -> None:
        with ui.card().classes('w-full gap-1').props('flat bordered data-testid=iban-header'):
            ui.label(grouped(item.iban)).classes('text-xl font-mono').props('data-testid=iban-detail-value')
            with ui.row().classes('items-center gap-3 text-sm'):
                ui.link(item.client_name, f'/dossiers/{item.client_id}').props('data-testid=iban-detail-client')
                ui.label(f'{item.bank_name} · BIC {item.bic or "inconnu"}').classes('text-slate-600')
                ui.label(f'Source : {item.source}').classes('text-slate-600')
                active_badge(item.active, 'iban-detail-active')
            with ui.row().classes('items-center gap-2'):
                ui.label('Connecteur :').classes('text-sm')
                connector_picker(
                    current_id=item.connector_id,
                    current_name=item.connector_name,
                    connectors=connectors.list_connectors(self.actor),
                    on_pick=self.attach,
                    testid='iban-detail-connector',
                )

    async def attach(self, connector_id: int | None) -> None:
        done = 'IBAN détaché de son connecteur.' if connector_id is None else 'Connecteur associé à l’IBAN.'
        await self.attempt(connectors.attach, self.actor, self.account_id, connector_id, success=done)

    def mandate_card(self, item: ibans.IbanRow) -> None:
        with ui.card().classes('grow basis-80 gap-2').props('flat bordered data-testid=mandate-card'):
            with ui.row().classes('items-center gap-2'):
                ui.label('Mandat').classes('font-semibold')
                mandate_badge(item.mandate, item.mandate_label, 'mandate-status')
            if can(self.actor, 'bank.manage'):
                self.mandate_actions(item)
            history_list(mandates.history(self.actor, self.account_id))

    def mandate_actions(self, item: ibans.IbanRow) -> None:
        with ui.row().classes('gap-2'):
            if item.mandate == 'to_sign':
                ui.button('Envoyer au client', icon='send', on_click=self.send_link).props(
                    'unelevated dense data-testid=mandate-send'
                )
                ui.button('Copier le lien', icon='content_copy', on_click=self.copy_link).props(
                    'outline dense data-testid=mandate-copy'
                )
            if item.mandate in mandates.OPEN:
                ui.button('Révoquer', icon='block', on_click=self.revoke).props(
                    'flat dense color=negative data-testid=mandate-revoke'
                )
            elif not item.synced:
                ui.button('Demander un mandat', icon='draw', on_click=self.request).props(
                    'outline dense data-testid=mandate-request'
                )

    async def send_link(self) -> None:
        try:
            sent_to = await run.io_bound(mandates.send_link, self.actor, self.account_id)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)
            return
        ui.notify(f'Lien de signature envoyé à {", ".join(sent_to)}.', type='positive')

    async def copy_link(self) -> None:
        try:
            url = await run.io_bound(mandates.issue_link, self.actor, self.account_id)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)
            return
        ui.clipboard.write(url)
        ui.notify('Lien copié : collez-le dans votre message au client.', type='positive')

    async def revoke(self) -> None:
        text = 'La banque cessera d’envoyer les relevés de cet IBAN au cabinet.'
        if not await confirm('Révoquer le mandat', text, confirm_label='Révoquer', testid='mandate-revoke-confirm'):
            return
        try:
            mandate_id = await run.io_bound(mandates.revoke, self.actor, self.account_id)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)
            return
        if mandate_id is not None:
            in_background(bank_channel.revoke_at_bank(mandate_id), name='mandate revocation')
        ui.notify('Mandat révoqué.', type='positive')
        self.render.refresh()

    async def request(self) -> None:
        await self.attempt(mandates.request_again, self.actor, self.account_id, success='Nouveau mandat à signer.')

    def upload_card(self) -> None:
        with ui.card().classes('grow basis-80 gap-2').props('flat bordered data-testid=upload-card'):
            ui.label('Déposer un relevé').classes('font-semibold')
            statement_upload(self.uploaded, testid='statement-upload')

    async def uploaded(self, event: ui_events.UploadEventArguments) -> None:
        data = await event.file.read()
        item = ibans.get_iban(self.actor, self.account_id)
        try:
            summary = await run.io_bound(
                import_jobs.submit,
                self.actor,
                client_id=item.client_id,
                data=data,
                file_name=event.file.name,
                account_id=self.account_id,
            )
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True, timeout=0, close_button='OK')
            return
        ui.notify(summary.sentence(), type='positive', multi_line=True)
        if summary.to_connector:  # delivered now, not at the next round of the scheduler
            background_tasks.create(deliveries.deliver_due(), name='deliver uploaded statements')
        for warning in summary.warnings[:3]:
            ui.notify(warning, type='warning', multi_line=True)
        self.render.refresh()

    async def resend(self, delivery_id: int) -> None:
        if await self.attempt(deliveries.resend, self.actor, delivery_id, success='Relevé renvoyé au connecteur.'):
            background_tasks.create(deliveries.deliver_due(), name='resend')

    def diagnosis(self) -> None:
        with (
            ui.expansion('Pourquoi mes relevés ne sont pas récupérés ?', icon='help_outline')
            .classes('w-full border rounded')
            .props('data-testid=diagnosis') as expansion
        ):
            body = ui.column().classes('w-full gap-2')

        def check() -> None:
            body.clear()
            with body:
                checks = iban_detail.diagnose(self.actor, self.account_id)
                diagnosis_list(checks, on_support=self.support if iban_detail.all_green(checks) else None)

        expansion.on_value_change(lambda e: check() if e.value else None)

    async def support(self) -> None:
        await self.attempt(
            support.contact,
            self.actor,
            self.account_id,
            success='Le support a reçu votre demande avec le diagnostic ; il vous répondra par e-mail.',
        )


def iban_detail_page(account_id: int):
    actor = guard('iban.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'IBAN'):
        try:
            ibans.get_iban(actor, account_id)
        except NotFound:
            ui.label('IBAN introuvable.').props('data-testid=iban-missing')
            return None
        ui.link('← Tous les IBAN', '/ibans').classes('text-sm').props('data-testid=iban-back')
        IbanDetailScreen(actor, account_id).render()
    return None
