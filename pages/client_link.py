"""/lien/<token>: what a client opens on a phone to fix one connection, without a password (magic link)."""

from __future__ import annotations

from nicegui import context, run, ui

from components.auth_card import auth_card, error_label
from pages.failures import in_background
from pages.mandate_link import MandateFlow
from services import client_fixes, magic_links, mandate_links
from services.errors import DomainError
from services.magic_links import LinkUnusable, LinkView
from services.sync import SyncOutcome

CERTIFICATION = (
    'Je certifie sur l’honneur être habilité et disposer des pouvoirs et autorisations nécessaires pour accéder aux '
    'informations du compte, et autoriser l’Etablissement à lui fournir le service sur ce compte.'
)
DONE_PATH = '/lien/termine'
HOSTED = {
    'sca_required': (
        'Renouvellement de l’accès à votre banque',
        'La réglementation européenne (DSP2) demande de confirmer régulièrement l’accès à vos comptes. Sur la page '
        'sécurisée de notre partenaire, confirmez avec le code reçu de votre banque. Cela prend une minute.',
        'Continuer',
    ),
    'credentials_invalid': (
        'Mot de passe bancaire modifié',
        'Votre banque a refusé le code secret enregistré : il a sans doute changé. À l’étape suivante, saisissez votre '
        'nouveau code secret sur la page sécurisée de notre partenaire ; la synchronisation reprendra aussitôt.',
        'Suivant',
    ),
}
HOSTED['consent_expiring'] = HOSTED['sca_required']
BANK_STEPS = (
    '1. Connectez-vous au site ou à l’application de votre banque, comme d’habitude.',
    '2. Acceptez ou complétez ce qu’elle vous propose dès la connexion.',
    '3. Revenez ici et appuyez sur « J’ai fait le nécessaire ».',
)


def title(text: str, testid: str = 'link-title') -> None:
    ui.label(text).classes('text-xl font-semibold').props(f'data-testid={testid}')


def paragraph(text: str, testid: str | None = None) -> ui.label:
    return ui.label(text).classes('text-sm text-slate-700').props(f'data-testid={testid}' if testid else '')


class LinkFlow:
    """One client fixing one connection; each step replaces the card's content."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.content = ui.column().classes('w-full gap-3')
        self.error: ui.label | None = None

    def show(self) -> None:
        with self.content:
            try:
                if magic_links.purpose_of(self.token) == 'mandate':
                    MandateFlow(self.content, self.token, mandate_links.open_mandate(self.token)).show()
                    return
                view = magic_links.open_link(self.token)
            except LinkUnusable as problem:
                self.unusable(problem)
                return
            if view.status == 'pro_validation_required':
                self.pro_validation(view)
            elif view.status in HOSTED:
                self.hosted(view)
            elif view.status == 'bank_action_required':
                self.bank_action(view)
            elif view.status in client_fixes.TECHNICAL:
                self.technical(view)
            else:
                title('Rien à faire pour le moment')
                paragraph('Cette connexion n’attend plus rien de vous. Merci !', 'link-nothing')

    def done(self, message: str) -> None:
        self.content.clear()
        with self.content:
            ui.icon('check_circle', size='3rem').classes('text-green-700 self-center')
            title(message, 'link-done')
            ui.button('Retour', on_click=lambda: ui.navigate.to(DONE_PATH)).props(
                'unelevated data-testid=link-back'
            ).classes('w-full')

    async def attempt(self, action, *args, button: ui.button | None = None, **kwargs) -> SyncOutcome | None:
        """The action's outcome, or None once its French reason is in the card; ``button`` is off meanwhile."""
        if button is not None:
            button.disable()
        try:
            return await action(self.token, *args, **kwargs)
        except DomainError as problem:
            self.error.text = str(problem)
            return None
        finally:
            if button is not None and not button.is_deleted:
                button.enable()

    def after_sync(self, outcome: SyncOutcome | None, *, done: str, still_asking: frozenset[str]) -> None:
        """Where a sync the client asked for leaves the card: done, still asked, or a technical failure."""
        if outcome is None:
            return
        if outcome.status in client_fixes.TECHNICAL:
            self.content.clear()
            with self.content:
                self.technical_card(outcome.message)
        elif outcome.status in still_asking:
            self.error.text = outcome.message
        else:
            self.done(done)

    def technical(self, view: LinkView) -> None:
        self.technical_card(
            f'La dernière synchronisation de « {view.bank_name} » a échoué pour une raison technique, du côté de '
            'notre partenaire ou de la banque. Vous n’avez rien à corriger.'
        )

    def technical_card(self, reason: str) -> None:
        title('Synchronisation momentanément impossible', 'link-technical')
        paragraph(reason, 'link-technical-reason')
        paragraph('Réessayez dans quelques minutes ; votre cabinet est tenu au courant.')
        self.error = error_label('link-error')

        async def retry() -> None:
            outcome = await self.attempt(client_fixes.retry_sync, button=button)
            self.after_sync(outcome, done='Merci : la synchronisation a repris.', still_asking=frozenset())

        button = ui.button('Réessayer', on_click=retry).props('unelevated data-testid=link-technical-retry')
        button.classes('w-full')

    def unusable(self, problem: LinkUnusable) -> None:
        title('Lien inutilisable')
        paragraph(str(problem), 'link-error')
        if problem.reason == 'invalid':
            return
        paragraph('Demandez-en un nouveau à votre cabinet : il sera prévenu tout de suite.')

        async def ask() -> None:
            button.disable()
            if await run.io_bound(magic_links.ask_for_a_new_link, self.token):
                ui.notify('Votre cabinet est prévenu : il vous enverra un nouveau lien.', type='positive')
            else:
                ui.notify('Votre cabinet a été prévenu il y a moins d’une heure : il vous enverra un nouveau lien.')

        button = (
            ui.button('Demander un nouveau lien', on_click=ask)
            .props('unelevated no-caps data-testid=link-renew')
            .classes('w-full')
        )

    def pro_validation(self, view: LinkView) -> None:
        title('Validation de compte professionnel')
        paragraph(
            f'Connexion « {view.bank_name} » : votre banque demande que le dirigeant valide les comptes professionnels.'
        )
        ui.input('RAISON SOCIALE', value=view.legal_name).props(
            'outlined readonly data-testid=link-legal-name'
        ).classes('w-full')
        name = ui.input('VOTRE NOM').props('outlined autocomplete=name data-testid=link-name').classes('w-full')
        certified = ui.checkbox(CERTIFICATION).props('data-testid=link-certify').classes('text-sm')
        self.error = error_label('link-error')

        async def validate() -> None:
            outcome = await self.attempt(
                client_fixes.validate_pro_accounts,
                signer_name=name.value or '',
                certified=certified.value,
                button=button,
            )
            if outcome is not None:
                self.done('Tous vos comptes ont bien été validés.')

        button = ui.button('Valider', on_click=validate).props('unelevated data-testid=link-validate').classes('w-full')

    def hosted(self, view: LinkView) -> None:
        heading, text, action = HOSTED[view.status]
        title(heading)
        paragraph(f'Connexion « {view.bank_name} » de {view.legal_name}.')
        paragraph(text)
        self.error = error_label('link-error')
        callback = f'{str(context.client.request.base_url).rstrip("/")}/lien/{self.token}/retour'

        async def go() -> None:
            url = await self.attempt(client_fixes.hosted_fix_url, callback_url=callback, button=button)
            if url is not None:
                ui.navigate.to(url)

        button = ui.button(action, on_click=go).props('unelevated data-testid=link-continue').classes('w-full')

    def bank_action(self, view: LinkView) -> None:
        title('Action requise sur le site de votre banque')
        paragraph(
            f'Votre banque bloque la synchronisation de « {view.bank_name} » tant que vous n’avez pas fait une '
            'démarche sur son site : accepter de nouvelles conditions générales, changer un mot de passe '
            'arrivé à échéance, ou confirmer une information.'
        )
        for step in BANK_STEPS:
            paragraph(step)
        self.error = error_label('link-error')

        async def retry() -> None:
            outcome = await self.attempt(client_fixes.retry_after_bank_action, button=button)
            if outcome is not None and outcome.status == 'bank_action_required':
                outcome = SyncOutcome(
                    outcome.status,
                    outcome.imported,
                    'Votre banque demande toujours une action : vérifiez sur son site, puis réessayez.',
                )
            still = frozenset({'bank_action_required'})
            self.after_sync(outcome, done='Merci : la synchronisation a repris.', still_asking=still)

        button = (
            ui.button('J’ai fait le nécessaire', on_click=retry)
            .props('unelevated no-caps data-testid=link-retry')
            .classes('w-full')
        )

    def back_from_hosted(self, success: bool) -> None:
        """Back from the aggregator's page: synchronise while the person watches."""
        with self.content:
            if not success:
                title('Démarche interrompue')
                paragraph('La démarche n’a pas été terminée : rien n’a changé.', 'link-error')
                ui.button('Recommencer', on_click=lambda: ui.navigate.to(f'/lien/{self.token}')).props(
                    'unelevated data-testid=link-restart'
                )
                return
            with ui.row().classes('items-center gap-2') as progress:
                ui.spinner(size='1.5em')
                paragraph('Synchronisation en cours…', 'link-progress')
            self.error = error_label('link-error')

        async def finish() -> None:
            outcome = await self.attempt(client_fixes.after_hosted_fix)
            still = client_fixes.HOSTED_FIXES
            self.after_sync(outcome, done='C’est fait : la synchronisation a repris.', still_asking=still)

        def settle() -> None:
            if not progress.is_deleted:
                progress.set_visibility(False)

        in_background(finish(), name='client link resync', on_end=settle)


def client_link_page(token: str):
    with auth_card(title='Votre connexion bancaire'):
        LinkFlow(token).show()


def client_link_return_page(token: str, success: str | None = None):
    with auth_card(title='Votre connexion bancaire'):
        LinkFlow(token).back_from_hosted(success == 'true')


def client_link_done_page():
    with auth_card(title='Merci'):
        ui.icon('task_alt', size='3rem').classes('text-green-700 self-center')
        title('Merci !', 'link-thanks')
        paragraph('Votre cabinet voit la connexion à jour. Vous pouvez fermer cette page.')
