"""/login: password, then strong authentication; at first sign-in, new password and TOTP enrolment."""

from __future__ import annotations

from nicegui import context, run, ui
from starlette.responses import RedirectResponse

from components.auth_card import auth_card, error_label, secret_key_text
from pages.session import client_ip, current_actor, home_path
from services import auth, passwords, sessions, totp
from services.errors import DomainError

NOTICES = {
    'expired': 'Votre session a expiré. Reconnectez-vous.',
    'signed_out': 'Vous êtes déconnecté.',
}


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith('/') and not target.startswith('//') and not target.startswith('/login'):
        return target
    return None


class SignInFlow:
    """One sign-in in progress on one page; the services decide each step."""

    def __init__(self, next_path: str | None) -> None:
        self.pending: auth.PendingSignIn | None = None
        self.next_path = next_path
        self.error: ui.label | None = None

    async def attempt(self, button: ui.button, action, *args: object) -> bool:
        """Run a blocking service step off the event loop, once at a time, showing its French error."""
        if not button.enabled:
            return False
        button.disable()
        try:
            await run.io_bound(action, *args)
        except DomainError as problem:
            self.error.text = str(problem)
            return False
        finally:
            button.enable()
        self.error.text = ''
        return True

    async def finish_if_done(self) -> None:
        if self.pending is None or self.pending.next_step != 'done':
            self.render.refresh()
            return
        ticket = await run.io_bound(sessions.open_session, self.pending)
        target = f'&next={self.next_path}' if self.next_path else ''
        ui.navigate.to(f'/auth/complete?ticket={ticket}{target}')

    @ui.refreshable_method
    def render(self) -> None:
        step = self.pending.next_step if self.pending else 'password'
        {
            'password': self.password_step,
            'code': self.code_step,
            'change_password': self.change_password_step,
            'enrol': self.enrol_step,
        }[step]()

    def password_step(self) -> None:
        ui.label('Connexion').classes('text-xl font-semibold')
        email = ui.input('E-mail').props('type=email autocomplete=username outlined data-testid=login-email')
        password = ui.input('Mot de passe', password=True, password_toggle_button=True).props(
            'autocomplete=current-password outlined data-testid=login-password'
        )
        self.error = error_label('login-error')

        async def submit() -> None:
            ip = client_ip(context.client.request)

            def check() -> None:
                self.pending = auth.check_password(email.value or '', password.value or '', ip=ip)

            if await self.attempt(button, check):
                await self.finish_if_done()
            else:
                password.value = ''

        for field in (email, password):
            field.classes('w-full').on('keydown.enter', submit)
        button = ui.button('Se connecter', on_click=submit).props('no-caps unelevated data-testid=login-submit')
        button.classes('w-full')

    def _code_input(self, submit) -> ui.input:
        code = ui.input("Code d'authentification forte").props(
            'inputmode=numeric autocomplete=one-time-code maxlength=6 outlined autofocus data-testid=login-code'
        )
        return code.classes('w-full').on('keydown.enter', submit)

    def code_step(self) -> None:
        ui.label('Authentification forte').classes('text-xl font-semibold')
        ui.label("Saisissez le code à 6 chiffres affiché par votre application d'authentification.").classes(
            'text-sm text-slate-600'
        )

        async def submit() -> None:
            if await self.attempt(button, auth.verify_sign_in_code, self.pending, code.value or ''):
                await self.finish_if_done()
            else:
                code.value = ''

        code = self._code_input(submit)
        self.error = error_label('login-error')
        button = ui.button('Valider', on_click=submit).props('no-caps unelevated data-testid=login-code-submit')
        button.classes('w-full')

    def change_password_step(self) -> None:
        ui.label('Choisissez votre mot de passe').classes('text-xl font-semibold')
        ui.label(
            f'Première connexion : remplacez le mot de passe provisoire. Au moins {passwords.MIN_LENGTH} '
            'caractères, différent de votre e-mail et des mots de passe courants.'
        ).classes('text-sm text-slate-600')
        new = (
            ui.input('Nouveau mot de passe', password=True, password_toggle_button=True)
            .props('autocomplete=new-password outlined data-testid=new-password')
            .classes('w-full')
        )
        again = (
            ui.input('Confirmer le mot de passe', password=True)
            .props('autocomplete=new-password outlined data-testid=new-password-confirm')
            .classes('w-full')
        )
        self.error = error_label('login-error')

        async def submit() -> None:
            if (new.value or '') != (again.value or ''):
                self.error.text = 'Les deux mots de passe ne sont pas identiques.'
                return
            if await self.attempt(button, auth.change_initial_password, self.pending, new.value or ''):
                await self.finish_if_done()

        again.on('keydown.enter', submit)
        button = ui.button('Enregistrer', on_click=submit).props('no-caps unelevated data-testid=new-password-submit')
        button.classes('w-full')

    def enrol_step(self) -> None:
        secret, uri = auth.start_enrolment(self.pending)
        ui.label("Activez l'authentification forte").classes('text-xl font-semibold')
        ui.label(
            "Scannez ce QR code avec votre application d'authentification (Google Authenticator, "
            'FreeOTP, Microsoft Authenticator…), ou saisissez la clé ci-dessous.'
        ).classes('text-sm text-slate-600')
        ui.html(totp.qr_svg(uri), sanitize=False).classes('self-center').props('data-testid=totp-qr')
        secret_key_text(secret)

        async def submit() -> None:
            if await self.attempt(button, auth.confirm_enrolment, self.pending, code.value or ''):
                await self.finish_if_done()
            else:
                code.value = ''

        code = self._code_input(submit)
        self.error = error_label('login-error')
        button = ui.button('Activer', on_click=submit).props('no-caps unelevated data-testid=totp-enrol-submit')
        button.classes('w-full')


def login_page(next: str | None = None, expired: str | None = None, signed_out: str | None = None):
    actor = current_actor()
    if actor is not None:
        return RedirectResponse(_safe_next(next) or home_path(actor))
    flow = SignInFlow(_safe_next(next))
    notice = NOTICES['expired'] if expired else NOTICES['signed_out'] if signed_out else None
    with auth_card(notice):
        flow.render()
    return None
