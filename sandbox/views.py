"""HTML of the hosted connect pages: French, phone friendly, inline CSS, no external asset, stable data-testids.
Every text that comes from outside (query, identifiant, bank and account names) goes through `esc`."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from sandbox.banks import Provider

APPLICATION = 'Bridge (démo)'

CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f3f5f9;color:#1d2433;
font-size:16px;line-height:1.45;overflow-wrap:anywhere}
header{display:flex;justify-content:space-between;align-items:center;gap:8px;padding:12px 16px;background:#fff;
border-bottom:1px solid #e2e6ee}
.brand{font-weight:700;color:#2b50d9}
main{width:100%;max-width:480px;margin:0 auto;padding:16px}
h1{font-size:1.3rem;margin:8px 0 16px}
.card{background:#fff;border-radius:12px;padding:16px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin-bottom:16px}
label{display:block;font-weight:600;margin:14px 0 4px}
.card>label:first-child{margin-top:0}
.hint{display:block;font-size:.75rem;font-weight:600;color:#6b7385;letter-spacing:.04em}
input[type=text],input[type=password],input[type=search]{display:block;width:100%;min-width:0;padding:12px;
font-size:1rem;border:1px solid #c5cbd8;border-radius:8px;background:#fff}
.check{display:flex;gap:10px;align-items:flex-start;font-weight:400}
.check input{flex:none;width:20px;height:20px;margin:2px 0 0}
button{display:block;width:100%;margin-top:16px;padding:14px;border:0;border-radius:8px;background:#2b50d9;color:#fff;
font-size:1rem;font-weight:700;cursor:pointer}
button.bank{margin:0;text-align:left;background:#fff;color:#1d2433;border:1px solid #dde2ec;font-weight:600}
button.link{width:auto;margin:8px 0 0;padding:0;background:none;color:#2b50d9;font-weight:400}
.search{display:flex;gap:8px}
.search button{width:auto;flex:none;margin:0}
.error{background:#fde8e8;color:#a21d1d;padding:12px;border-radius:8px;margin-bottom:12px}
.notice{background:#eef3ff;color:#1d3a9e;padding:12px;border-radius:8px}
.demo{font-size:.8rem;color:#6b7385;margin-top:12px}
.section{font-size:.8rem;font-weight:700;letter-spacing:.06em;color:#6b7385;margin:20px 0 8px}
ul.banks{list-style:none;margin:0;padding:0}
ul.banks li{margin:0 0 8px}
a{color:#2b50d9}
"""


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def spaced(iban: str) -> str:
    """FR76 3000 4… : an IBAN in groups of four."""
    return ' '.join(iban[start : start + 4] for start in range(0, len(iban), 4))


@dataclass(frozen=True)
class PageContext:
    base: str  # path prefix of the sandbox (from public_url), '' when served at the root
    session_id: str

    def url(self, action: str = '') -> str:
        return f'{self.base}/connect/{esc(self.session_id)}' + (f'/{action}' if action else '')


def document(title: str, body: str, context: PageContext | None = None, *, brand: str = APPLICATION) -> str:
    cancel = ''
    if context is not None:
        cancel = f'<a href="{context.url("cancel")}" data-testid="connect-cancel">Annuler</a>'
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)} · {esc(brand)}</title><style>{CSS}</style></head><body>'
        f'<header><span class="brand" data-testid="connect-brand">{esc(brand)}</span>{cancel}</header>'
        f'<main><h1 data-testid="connect-title">{esc(title)}</h1>{body}</main></body></html>'
    )


def _error(error: str | None) -> str:
    return f'<div class="error" role="alert" data-testid="connect-error">{esc(error)}</div>' if error else ''


def _form(context: PageContext, action: str, inner: str, testid: str) -> str:
    return f'<form method="post" action="{context.url(action)}" data-testid="{testid}">{inner}</form>'


def terms_page(context: PageContext, error: str | None = None) -> str:
    inner = (
        f'{_error(error)}<div class="card">'
        '<label class="check"><input type="checkbox" name="accept_terms" value="1" data-testid="connect-accept-terms">'
        "<span>J'ai lu et j'accepte les conditions générales</span></label>"
        '<label class="check"><input type="checkbox" name="accept_transfer" value="1" '
        f'data-testid="connect-accept-transfer"><span>J\'autorise {APPLICATION} à transférer mes données de compte '
        'à Relais</span></label></div>'
        '<button type="submit" data-testid="connect-next">ÉTAPE SUIVANTE →</button>'
    )
    return document('Connectez votre banque', _form(context, 'terms', inner, 'terms-form'), context)


def _bank_list(context: PageContext, providers: list[Provider], prefix: str) -> str:
    items = ''.join(
        f'<li><button type="submit" name="provider_id" value="{p.id}" class="bank" data-testid="{prefix}-{p.id}">'
        f'{esc(p.name)}</button></li>'
        for p in providers
    )
    return _form(context, 'bank', f'<ul class="banks">{items}</ul>', f'{prefix}-list')


def banks_page(context: PageContext, query: str, popular: list[Provider], results: list[Provider]) -> str:
    search = (
        f'<form method="get" action="{context.url()}" class="search" role="search" data-testid="bank-search-form">'
        f'<input type="search" name="q" value="{esc(query)}" placeholder="Rechercher une banque" '
        'aria-label="Rechercher une banque" data-testid="bank-search-input">'
        '<button type="submit" data-testid="bank-search-submit">Rechercher</button></form>'
    )
    heading = f'RÉSULTATS POUR « {esc(query)} »' if query.strip() else 'TOUTES LES BANQUES'
    found = (
        _bank_list(context, results, 'bank')
        if results
        else ('<p data-testid="bank-no-result">Aucune banque ne correspond à votre recherche.</p>')
    )
    body = (
        f'{search}<div class="section" data-testid="popular-banks-title">LES PLUS DEMANDÉES</div>'
        f'{_bank_list(context, popular, "popular-bank")}'
        f'<div class="section" data-testid="bank-results-title">{heading}</div>{found}'
    )
    return document('Choisissez votre banque', body, context)


def credentials_page(
    context: PageContext,
    provider: Provider,
    identifiant: str = '',
    error: str | None = None,
    can_change_bank: bool = True,
) -> str:
    inner = (
        f'{_error(error)}<div class="card">'
        '<label for="identifiant">Identifiant <span class="hint">NUMÉRO CLIENT</span></label>'
        f'<input type="text" id="identifiant" name="identifiant" value="{esc(identifiant)}" autocomplete="username" '
        'autocapitalize="none" data-testid="credentials-identifiant">'
        '<label for="secret">CODE SECRET</label>'
        '<input type="password" id="secret" name="secret" inputmode="numeric" autocomplete="current-password" '
        'data-testid="credentials-secret"></div>'
        '<button type="submit" data-testid="credentials-submit">SUIVANT →</button>'
        '<p class="demo" data-testid="demo-hint">Démo : code secret 1234 ; l’identifiant choisit le scénario '
        '(demo, pro, otp, sca, pwd…).</p>'
    )
    body = _form(context, 'credentials', inner, 'credentials-form')
    if can_change_bank:
        body += _form(
            context,
            'back',
            '<button type="submit" class="link" data-testid="credentials-change-bank">← Changer de banque</button>',
            'change-bank-form',
        )
    return document(provider.name, body, context)


def otp_page(context: PageContext, action: str, title: str, intro: str, error: str | None = None) -> str:
    inner = (
        f'{_error(error)}<div class="card"><p data-testid="otp-intro">{esc(intro)}</p>'
        '<label for="otp">Code reçu par SMS</label>'
        '<input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" '
        'data-testid="otp-input"></div><button type="submit" data-testid="otp-submit">VALIDER</button>'
        '<p class="demo" data-testid="demo-hint">Démo : le code est 123456.</p>'
    )
    return document(title, _form(context, action, inner, 'otp-form'), context)


def sync_page(context: PageContext, bank_name: str) -> str:
    inner = (
        f'<div class="card"><p>Connexion à {esc(bank_name)} établie.</p>'
        '<p class="notice" data-testid="sync-notice">La première synchronisation peut sembler longue, '
        'ne pas interrompre le processus.</p></div>'
        '<button type="submit" data-testid="sync-finish">Terminer</button>'
    )
    return document('Synchronisation', _form(context, 'finish', inner, 'sync-form'), context)


def new_secret_page(context: PageContext, bank_name: str, error: str | None = None) -> str:
    inner = (
        f'{_error(error)}<div class="card"><p data-testid="new-secret-intro">{esc(bank_name)} a refusé votre code '
        'secret. Saisissez votre nouveau code secret.</p>'
        '<label for="secret">CODE SECRET <span class="hint">NOUVEAU CODE, 4 À 12 CHIFFRES</span></label>'
        '<input type="password" id="secret" name="secret" inputmode="numeric" autocomplete="new-password" '
        'data-testid="new-secret-input"></div>'
        '<button type="submit" data-testid="new-secret-submit">SUIVANT →</button>'
    )
    return document('Nouveau code secret', _form(context, 'fix', inner, 'new-secret-form'), context)


def pro_page(context: PageContext, accounts: list[tuple[int, str, str | None]]) -> str:
    rows = ''.join(
        f'<li class="card" data-testid="pro-account-{number}"><strong>{esc(name)}</strong><br>'
        f'<span class="hint">{esc(spaced(iban or ""))}</span></li>'
        for number, name, iban in accounts
    )
    inner = (
        '<p data-testid="pro-intro">Ces comptes professionnels seront partagés avec Relais. '
        'Validez-les pour autoriser leur synchronisation.</p>'
        f'<ul class="banks">{rows}</ul><button type="submit" data-testid="pro-validate">Valider</button>'
    )
    return document('Comptes professionnels', _form(context, 'fix', inner, 'pro-form'), context)


def message_page(title: str, message: str, testid: str = 'connect-message') -> str:
    return document(title, f'<div class="card"><p data-testid="{testid}">{esc(message)}</p></div>')
