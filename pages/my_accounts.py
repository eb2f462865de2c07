"""« Mes comptes »: a client user's accounts, with the actions their rights allow (the services refuse the rest)."""

from __future__ import annotations

from nicegui import background_tasks, context, run, ui
from nicegui import events as ui_events

from components.my_account_card import AccountActions, account_card, statements_table, transactions_table
from components.statement_upload import statement_upload
from components.strong_auth import ask_strong_auth
from pages.failures import in_background
from pages.layout import page_frame, when_heard
from pages.session import guard
from services import deliveries, events, my_accounts
from services.errors import DomainError
from services.permissions import Actor


class MyAccountsScreen:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.host = ui.element('div')  # dialogs live here: a redraw of the accounts must not delete an open one
        self.actions = AccountActions(
            self.show_transactions,
            self.show_statements,
            self.ask_upload,
            self.sync,
            self.sign,
            self.validate_pro,
            self.renew,
        )
        self.redraw_when_changed()

    def redraw_when_changed(self) -> None:
        """The accounts redraw when their mandate, statements, connection or the user's rights change."""
        actor = self.actor

        def concerns(event: events.Event) -> bool:
            if isinstance(event, events.IbanChanged | events.ConnectionChanged):
                return event.client_id == actor.client_id
            return isinstance(event, events.UserAccessChanged) and event.user_id == actor.user_id

        when_heard(concerns, self.render.refresh)

    @ui.refreshable_method
    def render(self) -> None:
        accounts = my_accounts.list_accounts(self.actor)
        if not accounts:
            ui.label(
                'Aucun compte ne vous est ouvert : demandez des droits au dirigeant de votre entreprise '
                'ou à votre cabinet.'
            ).classes('text-slate-600').props('data-testid=my-accounts-empty').mark('my-accounts-empty')
        for account in accounts:
            account_card(account, self.actions)

    def dialog(self, title: str) -> ui.column:
        with self.host, ui.dialog() as dialog, ui.card().classes('w-[min(44rem,96vw)] gap-3'):
            with ui.row().classes('w-full items-center justify-between no-wrap'):
                ui.label(title).classes('text-lg font-semibold')
                ui.button(icon='close', on_click=dialog.close).props('flat round dense aria-label=Fermer')
            body = ui.column().classes('w-full gap-2')
        dialog.on('hide', dialog.delete)
        dialog.open()
        return body

    async def show_transactions(self, account_id: int) -> None:
        rows = await self.read(my_accounts.transactions, self.actor, account_id)
        if rows is not None:
            with self.dialog('Dernières opérations'):
                transactions_table(rows)

    async def show_statements(self, account_id: int) -> None:
        rows = await self.read(my_accounts.statements_of, self.actor, account_id)
        if rows is not None:
            with self.dialog('Relevés'):
                statements_table(rows)

    async def read(self, action, *args):
        try:
            return await run.io_bound(action, *args)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)
            return None

    def ask_upload(self, account_id: int) -> None:
        async def uploaded(event: ui_events.UploadEventArguments) -> None:
            data = await event.file.read()
            try:
                summary = await run.io_bound(
                    my_accounts.upload, self.actor, account_id, data=data, file_name=event.file.name
                )
            except DomainError as problem:
                ui.notify(str(problem), type='negative', multi_line=True, timeout=0, close_button='OK')
                return
            ui.notify(summary.sentence(), type='positive', multi_line=True)
            if summary.to_connector:
                background_tasks.create(deliveries.deliver_due(), name='deliver uploaded statements')
            self.render.refresh()

        with self.dialog('Déposer un relevé'):
            statement_upload(uploaded, testid='my-upload')

    async def sync(self, connection_id: int) -> None:
        try:
            outcome = await my_accounts.refresh(self.actor, connection_id)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)
            return
        ui.notify(outcome.message or 'Synchronisation terminée.', multi_line=True)
        self.render.refresh()

    async def renew(self, connection_id: int) -> None:
        """To the aggregator's page, back here with ``renouvele``: the sync that follows says how it went."""
        callback = f'{str(context.client.request.base_url).rstrip("/")}/mes-comptes?renouvele={connection_id}'
        try:
            url = await my_accounts.renewal_url(self.actor, connection_id, callback_url=callback)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)
            return
        ui.navigate.to(url)

    async def sign(self, account_id: int) -> None:
        if not await self.certify('Je certifie pouvoir signer ce mandat au nom de l’entreprise.'):
            return

        async def verify(code: str) -> None:
            await run.io_bound(my_accounts.sign_mandate, self.actor, account_id, certified=True, code=code)

        with self.host:
            signed = await ask_strong_auth(verify, reason='Signer le mandat demande une authentification forte.')
        if signed:
            ui.notify('Mandat signé : il part à la banque.', type='positive')
            self.render.refresh()

    async def validate_pro(self, connection_id: int) -> None:
        if not await self.certify('Je certifie être habilité à valider les comptes professionnels de l’entreprise.'):
            return

        async def verify(code: str) -> None:
            await my_accounts.validate_pro(self.actor, connection_id, certified=True, code=code)

        with self.host:
            reason = 'Valider les comptes professionnels demande une authentification forte.'
            done = await ask_strong_auth(verify, reason=reason)
        if done:
            ui.notify('Comptes professionnels validés.', type='positive')
            self.render.refresh()

    async def certify(self, text: str) -> bool:
        with self.host, ui.dialog().props('persistent') as dialog, ui.card().classes('w-[min(26rem,92vw)] gap-3'):
            box = ui.checkbox(text).props('data-testid=my-certify').mark('my-certify')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Annuler', on_click=lambda: dialog.submit(False)).props('flat no-caps')
                go = (
                    ui.button('Continuer', on_click=lambda: dialog.submit(True))
                    .props('no-caps data-testid=my-certify-continue')
                    .mark('my-certify-continue')
                )
                go.bind_enabled_from(box, 'value')
        result = await dialog
        dialog.delete()
        return bool(result)


def my_accounts_page(renouvele: int | None = None):
    actor = guard('company.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Mes comptes'):
        screen = MyAccountsScreen(actor)
        screen.render()
    if renouvele is not None:  # back from the aggregator's page: a sync with the user present tells how it went
        in_background(screen.sync(renouvele), name='sync after renewal')
    return None
