"""The hosted connect pages: a small state machine per connect session (its `step`), one POST per step, each
answered by the page again with an error or by a 303 to the next step, and at the end a 303 to the callback URL."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sandbox import banks, views
from sandbox.scenarios import OTP_CODE, SECRET_CODE, needs_otp, scenario_of
from sandbox.service import Sandbox
from sandbox.store import Session

router = APIRouter()

CALLBACK_STEPS = {
    'terms': 'welcome_page',
    'bank': 'highlighted_banks',
    'credentials': 'bank_creds_form',
    'otp': 'otp_form',
    'sync': 'sync_in_progress',
    'fix_sca': 'otp_form',
    'fix_code': 'edit_bank_creds_form',
    'fix_pro': 'pro_validation_form',
}
TERMS_ERROR = 'Vous devez accepter les conditions générales et autoriser le transfert de vos données pour continuer.'
CREDENTIALS_ERROR = 'Identifiant ou code secret incorrect.'
OTP_ERROR = 'Code incorrect. Vérifiez le code reçu par SMS.'
SECRET_FORMAT_ERROR = 'Le code secret doit comporter de 4 à 12 chiffres.'
SCA_INTRO = 'Votre banque demande de confirmer votre identité (authentification forte DSP2).'


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


def _context(sandbox: Sandbox, session: Session) -> views.PageContext:
    return views.PageContext(urlsplit(sandbox.config.public_url).path.rstrip('/'), session.id)


def _html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers={'Cache-Control': 'no-store'})


def _load(request: Request, session_id: str) -> tuple[Sandbox, Session | None]:
    sandbox = _sandbox(request)
    return sandbox, sandbox.store.get_session(session_id)


def _unknown() -> HTMLResponse:
    return _html(views.message_page('Session introuvable', 'Ce lien de connexion est invalide ou a expiré.'), 404)


def _next(sandbox: Sandbox, session: Session, step: str, **changes: object) -> Response:
    sandbox.store.update_session(session.id, step=step, **changes)
    return RedirectResponse(_context(sandbox, session).url(), status_code=303)


def callback_url(session: Session, *, success: bool, step: str, item_id: int | None) -> str:
    params: dict[str, object] = {} if item_id is None else {'item_id': item_id}
    params.update(
        success='true' if success else 'false', step=step, session_id=session.id, context=session.context or ''
    )
    base = session.callback_url or ''
    return f'{base}{"&" if "?" in base else "?"}{urlencode(params)}'


def _leave(sandbox: Sandbox, session: Session, *, success: bool, step: str, item_id: int | None) -> Response:
    sandbox.store.update_session(session.id, finished=True, result_item_id=item_id)
    if session.callback_url:
        return RedirectResponse(callback_url(session, success=success, step=step, item_id=item_id), status_code=303)
    message = 'Connexion terminée : vous pouvez fermer cette page.' if success else 'Connexion annulée.'
    return _html(views.message_page('Bridge (démo)', message, 'connect-finished'))


@router.get('/connect/{session_id}', response_class=HTMLResponse)
def show(request: Request, session_id: str, q: str = '') -> Response:
    sandbox, session = _load(request, session_id)
    if session is None:
        return _unknown()
    return _html(render(sandbox, session, query=q))


def render(
    sandbox: Sandbox, session: Session, *, query: str = '', error: str | None = None, identifiant: str = ''
) -> str:
    context = _context(sandbox, session)
    provider = banks.get(session.provider_id or 0)
    if session.finished:
        return views.message_page('Session terminée', 'Cette session de connexion est terminée.', 'connect-finished')
    if session.step == 'bank' or (session.step in ('credentials', 'otp', 'sync') and provider is None):
        results = banks.search(query) if query.strip() else sorted(banks.catalogue(), key=lambda p: banks.fold(p.name))
        return views.banks_page(context, query, banks.popular(), results)
    if session.step == 'credentials' and provider is not None:
        return views.credentials_page(context, provider, identifiant, error, can_change_bank=not session.bank_imposed)
    if session.step == 'otp':
        return views.otp_page(context, 'otp', 'Code reçu par SMS', 'Saisissez le code envoyé par votre banque.', error)
    if session.step == 'sync' and provider is not None:
        return views.sync_page(context, provider.name)
    if session.step.startswith('fix_'):
        return _render_fix(sandbox, session, context, error)
    return views.terms_page(context, error)


def _render_fix(sandbox: Sandbox, session: Session, context: views.PageContext, error: str | None) -> str:
    item = sandbox.store.get_item(session.item_id or 0)
    if item is None:
        return views.message_page('Connexion introuvable', 'Cette connexion n’existe plus.', 'connect-finished')
    provider = banks.get(item.provider_id)
    bank_name = provider.name if provider else 'Votre banque'
    if session.step == 'fix_code':
        return views.new_secret_page(context, bank_name, error)
    if session.step == 'fix_pro':
        pro = [(a.id, a.spec.name, a.iban) for a in sandbox.accounts(item) if a.spec.pro]
        return views.pro_page(context, pro)
    return views.otp_page(context, 'fix', 'Authentification forte', f'{bank_name} — {SCA_INTRO}', error)


@router.get('/connect/{session_id}/cancel')
def cancel(request: Request, session_id: str) -> Response:
    sandbox, session = _load(request, session_id)
    if session is None:
        return _unknown()
    if session.finished:
        return _html(render(sandbox, session))
    item_id = session.item_id if session.item_id is not None else session.result_item_id
    return _leave(
        sandbox, session, success=False, step=CALLBACK_STEPS.get(session.step, 'welcome_page'), item_id=item_id
    )


@router.post('/connect/{session_id}/terms')
def accept_terms(
    request: Request,
    session_id: str,
    accept_terms: Annotated[str | None, Form()] = None,
    accept_transfer: Annotated[str | None, Form()] = None,
) -> Response:
    sandbox, session = _load(request, session_id)
    if session is None:
        return _unknown()
    if session.step != 'terms' or session.finished:
        return _next(sandbox, session, session.step)
    if not (accept_terms and accept_transfer):
        return _html(views.terms_page(_context(sandbox, session), TERMS_ERROR), 400)
    return _next(sandbox, session, 'credentials' if banks.get(session.provider_id or 0) else 'bank')


@router.post('/connect/{session_id}/bank')
def choose_bank(request: Request, session_id: str, provider_id: Annotated[str | None, Form()] = None) -> Response:
    sandbox, session = _load(request, session_id)
    if session is None:
        return _unknown()
    provider = banks.get(int(provider_id)) if provider_id and provider_id.isdigit() else None
    if session.step != 'bank' or session.finished or provider is None:
        return _next(sandbox, session, session.step)
    return _next(sandbox, session, 'credentials', provider_id=provider.id)


@router.post('/connect/{session_id}/back')
def change_bank(request: Request, session_id: str) -> Response:
    sandbox, session = _load(request, session_id)
    if session is None:
        return _unknown()
    if session.step != 'credentials' or session.finished:
        return _next(sandbox, session, session.step)
    return _next(sandbox, session, 'bank')


@router.post('/connect/{session_id}/credentials')
def credentials(
    request: Request, session_id: str, identifiant: Annotated[str, Form()] = '', secret: Annotated[str, Form()] = ''
) -> Response:
    sandbox, session = _load(request, session_id)
    if session is None:
        return _unknown()
    provider = banks.get(session.provider_id or 0)
    if session.step != 'credentials' or session.finished or provider is None:
        return _next(sandbox, session, session.step)
    if not identifiant.strip() or secret.strip() != SECRET_CODE:
        page = render(sandbox, session, error=CREDENTIALS_ERROR, identifiant=identifiant)
        return _html(page, 400)
    step = 'otp' if needs_otp(scenario_of(identifiant), provider.otp) else 'sync'
    return _next(sandbox, session, step, identifiant=identifiant.strip())


@router.post('/connect/{session_id}/otp')
def otp(request: Request, session_id: str, otp: Annotated[str, Form()] = '') -> Response:
    sandbox, session = _load(request, session_id)
    if session is None:
        return _unknown()
    if session.step != 'otp' or session.finished:
        return _next(sandbox, session, session.step)
    if otp.strip() != OTP_CODE:
        return _html(render(sandbox, session, error=OTP_ERROR), 400)
    return _next(sandbox, session, 'sync')


@router.post('/connect/{session_id}/finish')
def finish(request: Request, session_id: str) -> Response:
    sandbox, session = _load(request, session_id)
    if session is None:
        return _unknown()
    if session.finished and session.result_item_id is not None:
        return _leave(sandbox, session, success=True, step='sync_success', item_id=session.result_item_id)
    if session.step != 'sync' or session.finished or not session.identifiant or session.provider_id is None:
        return _next(sandbox, session, session.step)
    sandbox.store.update_session(session.id, finished=True)  # a double click creates one item only
    item = sandbox.create_item(session.user_uuid, session.provider_id, session.identifiant)
    ok = item.refresh_ok or item.refreshing_until is not None
    return _leave(sandbox, session, success=True, step='sync_success' if ok else 'sync_error', item_id=item.id)


@router.post('/connect/{session_id}/fix')
def fix(
    request: Request, session_id: str, otp: Annotated[str, Form()] = '', secret: Annotated[str, Form()] = ''
) -> Response:
    sandbox, session = _load(request, session_id)
    if session is None:
        return _unknown()
    item = sandbox.store.get_item(session.item_id or 0)
    if not session.step.startswith('fix_') or session.finished or item is None:
        return _next(sandbox, session, session.step)
    if session.step == 'fix_code':
        if not re.fullmatch(r'\d{4,12}', secret.strip()):
            return _html(render(sandbox, session, error=SECRET_FORMAT_ERROR), 400)
        sandbox.renew_secret(item)
    elif session.step == 'fix_pro':
        pro = [account.id for account in sandbox.accounts(item) if account.spec.pro]
        if pro:
            sandbox.validate_pro(item, pro)
    else:
        if otp.strip() != OTP_CODE:
            return _html(render(sandbox, session, error=OTP_ERROR), 400)
        sandbox.renew_consent(item)
    return _leave(sandbox, session, success=True, step='sync_success', item_id=item.id)
