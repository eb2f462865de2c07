"""« Gestion des comptes bancaires » of a client file: activation, connections, accounts, forced sync."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import context, ui

from components.bank_forms import activation_card, force_sync_card
from components.bank_lists import accounts_list, connections_list
from components.confirm import confirm
from pages.failures import in_background, on_failure
from pages.layout import page_frame
from pages.live import LIVE, Reads, view_scope
from pages.session import guard
from services import banking, events, sync, sync_manual
from services.banking import ConnectionRow
from services.errors import NotFound
from services.permissions import Actor

FIX_TEXTS = {
    'credentials_invalid': (
        'Mot de passe bancaire modifié',
        'Votre banque a refusé le code secret : il a sans doute changé. À l’étape suivante, '
        'saisissez votre nouveau code secret sur la page sécurisée de notre partenaire, puis la '
        'synchronisation reprendra.',
    ),
    'sca_required': (
        'Renouvellement DSP2',
        'Votre banque demande de renouveler l’authentification forte (DSP2). '
        'À l’étape suivante, confirmez-la sur la page sécurisée de notre partenaire.',
    ),
    'consent_expiring': (
        'Renouvellement DSP2',
        'Le consentement DSP2 arrive à échéance. À l’étape suivante, '
        'renouvelez l’authentification forte sur la page sécurisée de notre partenaire.',
    ),
    'pro_validation_required': (
        'Comptes professionnels',
        'Les comptes professionnels doivent être validés par le '
        'dirigeant. À l’étape suivante, validez-les sur la page de notre partenaire.',
    ),
}


def unfinished_banner(on_retry: Callable[[], None]) -> None:
    with ui.row().classes('w-full items-center gap-3 rounded bg-orange-50 text-orange-900 px-3 py-2 no-wrap'):
        ui.icon('pause_circle')
        ui.label(
            'La banque est bien connectée chez notre partenaire, mais Relais n’a pas encore pu enregistrer la '
            'connexion. Réessayez : rien ne sera créé en double.'
        ).classes('text-sm').props('role=status data-testid=connection-unfinished')
        ui.button('Réessayer', on_click=on_retry).props('unelevated no-caps data-testid=connection-unfinished-retry')


class BankScreen:
    def __init__(self, actor: Actor, client_id: int) -> None:
        self.actor, self.client_id = actor, client_id
        request = context.client.request
        self.path = f'/dossiers/{client_id}/comptes-bancaires'
        self.callback = f'{str(request.base_url).rstrip("/")}{self.path}'
        self.client = context.client
        self.progress = ui.label().classes('text-sm text-blue-800').props('data-testid=sync-progress role=status')
        self.shown: banking.BankOverview | None = None
        self.fresh: banking.BankOverview | None = None
        self.message = ''
        self.unfinished: str | None = None  # an aggregator item back from the hosted pages, not yet recorded
        LIVE.add(self, context.client)
        on_failure(self.settle)

    def hear(self, event: events.ConnectionChanged) -> bool:
        if event.client_id != self.client_id:
            return False
        self.message = event.message
        return True

    def redraw(self, reads: Reads) -> None:
        """Drawn again only when something shown changed: a sync that brings nothing new (a webhook's after the
        user's own) must not replace the buttons under the user's finger."""
        if self.client.id not in self.client.instances:
            return
        key = ('bank', view_scope(self.actor), self.client_id)  # tabs on the same file share one read
        self.fresh = reads.get(key, lambda: banking.overview(self.actor, self.client_id))
        # the words and the table arrive together: « terminée » never shows above buttons about to be replaced
        self.progress.set_text(self.message)
        if self.fresh != self.shown:
            with self.client:
                self.render.refresh()

    @ui.refreshable_method
    def render(self) -> None:
        view, self.fresh = self.fresh or banking.overview(self.actor, self.client_id), None
        self.shown = view
        if self.unfinished is not None:
            unfinished_banner(lambda: self.finish(self.unfinished))
        activation_card(view, on_save=self.save_activation)
        with ui.row().classes('w-full items-center justify-between mt-2'):
            ui.label('Liste des connexions bancaires').classes('text-lg font-semibold')
            ui.button('AJOUTER UNE CONNEXION', icon='add', on_click=self.add_connection).props(
                'unelevated data-testid=connection-add'
            )
        connections_list(view.connections, on_refresh=self.refresh_connection, on_delete=self.delete_connection)
        with ui.row().classes('w-full items-center justify-between mt-2'):
            ui.label('Liste des comptes bancaires qui peuvent être synchronisés').classes('text-lg font-semibold')
            ui.button('Compte de trésorerie', icon='add', on_click=self.add_treasury).props(
                'outline data-testid=treasury-add'
            )
        accounts_list(view.accounts, view.treasury_accounts, on_link=self.link, on_toggle=self.toggle)
        force_sync_card(view, on_submit=self.force)

    def settle(self) -> None:
        """After a failure (pages.failures has said it): no progress line left « en cours », and the lists, switches
        and selects as the database has them."""
        if self.progress.text.endswith('…'):
            self.progress.set_text('')
        self.render.refresh()

    async def save_activation(self, enabled: bool, module: str | None) -> None:
        banking.set_activation(self.actor, self.client_id, enabled=enabled, module=module)
        ui.notify(
            'Synchronisation activée.' if enabled else 'Synchronisation désactivée : les données sont conservées.',
            type='positive',
        )
        self.render.refresh()

    async def add_connection(self) -> None:
        text = (
            'Vous allez être redirigé vers la page sécurisée de notre partenaire d’agrégation pour choisir la '
            'banque et saisir les identifiants bancaires. Relais ne voit jamais vos codes. Vous reviendrez '
            'ensuite sur cette page.'
        )
        if not await confirm('Ajouter une connexion bancaire', text, testid='connection-add-confirm'):
            return
        ui.navigate.to(await sync.start_connection(self.actor, self.client_id, callback_url=self.callback))

    async def refresh_connection(self, connection: ConnectionRow) -> None:
        if connection.unavailable:
            ui.notify(f'Module indisponible : {connection.unavailable}', type='warning', multi_line=True)
            return
        if connection.status in FIX_TEXTS:
            title, text = FIX_TEXTS[connection.status]
            if await confirm(title, text, confirm_label='Suivant', testid='connection-fix'):
                callback = f'{self.callback}?fixed={connection.id}'
                ui.navigate.to(await sync.fix_connection_url(self.actor, connection.id, callback_url=callback))
            return
        if connection.status == 'bank_action_required' and not await confirm(
            'Action requise sur le site de la banque',
            f'{connection.sentence} Connectez-vous au site de la '
            'banque, acceptez ce qui vous est demandé, puis revenez ici.',
            confirm_label='J’ai fait le nécessaire',
            testid='connection-bank-action',
        ):
            return
        self.run_in_background(sync_manual.refresh_now(self.actor, connection.id))

    def run_in_background(self, work: Awaitable[sync.SyncOutcome]) -> None:
        async def run() -> None:
            outcome = await work
            self.progress.set_text(outcome.message)  # the live round would say it too, a moment later
            ui.notify(outcome.message, type='positive' if outcome.status == 'ok' else 'warning', multi_line=True)

        self.progress.text = 'Synchronisation en cours…'
        in_background(run(), name='bank sync', on_end=self.render.refresh)

    async def delete_connection(self, connection: ConnectionRow) -> None:
        if not await confirm(
            'Supprimer la connexion',
            f'Supprimer la connexion « {connection.bank_name} » ? Les opérations déjà importées sont conservées.',
            testid='connection-delete-confirm',
        ):
            return
        await sync_manual.delete_connection(self.actor, connection.id)
        ui.notify('Connexion supprimée ; l’historique est conservé.', type='positive')
        self.render.refresh()

    async def add_treasury(self) -> None:
        treasury = banking.add_treasury_account(self.actor, self.client_id)
        ui.notify(f'« {treasury.label} » ajouté.', type='positive')
        self.render.refresh()

    def link(self, account, treasury_id: int | None) -> None:
        banking.link_treasury(self.actor, account.id, treasury_id)
        ui.notify('Compte de trésorerie rattaché.' if treasury_id else 'Compte détaché.', type='positive')

    def toggle(self, account, enabled: bool) -> None:
        banking.set_account_sync(self.actor, account.id, enabled)
        ui.notify('Compte synchronisé.' if enabled else 'Compte exclu de la synchronisation.', type='positive')

    async def force(self, account_id: int | None, start, end) -> None:
        result = await sync_manual.force_sync(self.actor, self.client_id, account_id=account_id, start=start, end=end)
        ui.notify(
            f'Synchronisation terminée : {result.inserted} opération(s) importée(s), {result.updated} déjà connue(s).',
            type='positive',
            multi_line=True,
        )
        self.render.refresh()

    def handle_return(self, *, item_id: str | None, success: str | None, fixed: str | None) -> None:
        if success is None:
            return
        ui.timer(0.1, lambda: ui.navigate.history.replace(self.path), once=True)
        if success != 'true':
            ui.notify('La connexion n’a pas été finalisée.', type='warning')
        elif fixed and fixed.isdigit():
            self.run_in_background(sync_manual.refresh_now(self.actor, int(fixed)))
        elif item_id:
            self.finish(item_id)

    def finish(self, item_id: str) -> None:
        self.unfinished = item_id  # until Relais has recorded it: the banner of render() offers « Réessayer »
        self.run_in_background(self._finish(item_id))

    async def _finish(self, item_id: str) -> sync.SyncOutcome:
        connection_id = await sync.finish_connection(self.actor, self.client_id, item_id=item_id)
        self.unfinished = None
        self.render.refresh()
        return sync.SyncOutcome(
            'ok', sync.ImportResult(), f'Connexion {connection_id} ajoutée : première synchronisation en cours.'
        )


def bank_accounts_page(
    client_id: int, item_id: str | None = None, success: str | None = None, fixed: str | None = None
):
    actor = guard('bank.view')
    if not isinstance(actor, Actor):
        return actor
    try:
        banking.overview(actor, client_id)
    except NotFound as missing:
        with page_frame(actor, 'Gestion des comptes bancaires'):
            ui.label(str(missing)).classes('text-red-700').props('data-testid=not-found')
        return None
    with page_frame(actor, 'Gestion des comptes bancaires'):
        ui.link('← Fiche du dossier', f'/dossiers/{client_id}').classes('text-sm').props('data-testid=back-to-client')
        screen = BankScreen(actor, client_id)
        screen.render()
        screen.handle_return(item_id=item_id, success=success, fixed=fixed)
    return None
