"""The bank's own website, as far as the `tos` scenario needs it: the user signs in and accepts the new terms, after
which the item's refreshes go through again. Real banks do this on their sites, outside the aggregator; the sandbox
serves it at `/banque/{item_id}` so a demo (or a test) can play the client's part end to end."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from sandbox import banks, views
from sandbox.scenarios import SECRET_CODE
from sandbox.service import Sandbox
from sandbox.store import Item

router = APIRouter()
SIGN_IN_ERROR = 'Identifiant ou code secret incorrect.'
TERMS_ERROR = 'Cochez la case pour accepter les nouvelles conditions générales.'


def _page(title: str, body: str, item: Item | None, status: int = 200) -> HTMLResponse:
    provider = banks.get(item.provider_id) if item else None
    brand = f'{provider.name if provider else "Votre banque"} (site de démonstration)'
    return HTMLResponse(
        views.document(title, body, brand=brand), status_code=status, headers={'Cache-Control': 'no-store'}
    )


def _form(request: Request, item: Item, error: str | None) -> HTMLResponse:
    action = f'{urlsplit(_sandbox(request).config.public_url).path.rstrip("/")}/banque/{item.id}'
    alert = f'<div class="error" role="alert" data-testid="bank-site-error">{views.esc(error)}</div>' if error else ''
    body = (
        f'{alert}<div class="notice">De nouvelles conditions générales sont à accepter avant de continuer.</div>'
        f'<form method="post" action="{action}" data-testid="bank-site-form"><div class="card">'
        '<label for="bank-site-identifiant">Identifiant</label>'
        '<input type="text" id="bank-site-identifiant" name="identifiant" autocomplete="username" '
        'data-testid="bank-site-identifiant">'
        '<label for="bank-site-secret">Code secret</label>'
        '<input type="password" id="bank-site-secret" name="secret" inputmode="numeric" '
        'autocomplete="current-password" data-testid="bank-site-secret">'
        '<label class="check"><input type="checkbox" name="accept" value="1" data-testid="bank-site-accept">'
        '<span>J’accepte les nouvelles conditions générales</span></label></div>'
        '<button type="submit" data-testid="bank-site-submit">Valider</button></form>'
        f'<p class="demo">Démonstration : code secret {SECRET_CODE}.</p>'
    )
    return _page('Nouvelles conditions générales', body, item, 400 if error else 200)


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


def _done(item: Item) -> HTMLResponse:
    message = 'C’est fait : rien ne bloque plus l’accès à vos comptes. Revenez sur la page de votre cabinet.'
    return _page('Conditions acceptées', f'<div class="card"><p data-testid="bank-site-done">{message}</p></div>', item)


def _unknown() -> HTMLResponse:
    body = '<div class="card"><p data-testid="bank-site-error">Cette page n’existe pas.</p></div>'
    return _page('Page introuvable', body, None, 404)


@router.get('/banque/{item_id}', response_class=HTMLResponse)
def show(request: Request, item_id: int) -> HTMLResponse:
    item = _sandbox(request).store.get_item(item_id)
    if item is None:
        return _unknown()
    return _done(item) if item.scenario != 'tos' or item.bank_action_done else _form(request, item, None)


@router.post('/banque/{item_id}', response_class=HTMLResponse)
def accept(
    request: Request,
    item_id: int,
    identifiant: Annotated[str, Form()] = '',
    secret: Annotated[str, Form()] = '',
    accept: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    sandbox = _sandbox(request)
    item = sandbox.store.get_item(item_id)
    if item is None:
        return _unknown()
    if identifiant.strip().casefold() != item.identifiant.casefold() or secret.strip() != SECRET_CODE:
        return _form(request, item, SIGN_IN_ERROR)
    if not accept:
        return _form(request, item, TERMS_ERROR)
    sandbox.accept_bank_terms(item)
    return _done(item)
