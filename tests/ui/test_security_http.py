"""What Relais answers over HTTP to a browser and to another site (docs/security.md, V3, V4 and V13): the session
cookie's attributes, redirections that stay on Relais, the live link closed to other sites, no API documentation,
no TRACE, no folder listing, pages kept out of caches."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from nicegui import __version__ as nicegui_version
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from services import db, sessions
from services.auth import PendingSignIn
from services.models import User as Account

from .conftest import SLOW, sign_in

ANOTHER_SITE = 'https://autre-site.example'
HANDSHAKE = '/_nicegui_ws/socket.io/?EIO=4&transport=polling'


def a_ticket(email: str = 'admin@cabinet-demo.fr') -> str:
    """A sign-in ticket, as the sign-in screens leave it once every step is done."""
    with db.session_scope() as session:
        account = session.exec(select(Account).where(Account.email == email)).one()
        pending = PendingSignIn(account.id, email, None, must_change_password=False, needs_enrolment=False)
    pending.code_verified = True
    return sessions.open_session(pending)


def session_cookie(response) -> dict[str, str]:
    """The attributes of the ``Set-Cookie`` of Relais' session cookie (NiceGUI sets its own cookie too)."""
    [set_cookie] = [c for c in response.headers.get_list('set-cookie') if c.startswith(f'{sessions.COOKIE_NAME}=')]
    name_value, *attributes = [part.strip() for part in set_cookie.split(';')]
    found = {'name': name_value.split('=', 1)[0]}
    for attribute in attributes:
        key, _, value = attribute.partition('=')
        found[key.lower()] = value
    return found


async def test_the_session_cookie_is_httponly_lax_for_the_whole_site_and_lasts_twelve_hours(user: User) -> None:
    await user.open('/login')
    response = await user.http_client.get(f'/auth/complete?ticket={a_ticket()}')
    cookie = session_cookie(response)
    assert cookie['name'] == sessions.COOKIE_NAME
    assert 'httponly' in cookie and cookie['samesite'] == 'lax' and cookie['path'] == '/'
    assert cookie['max-age'] == str(12 * 3600)
    assert 'secure' not in cookie  # plain HTTP: a Secure cookie would never come back


async def test_a_ticket_serves_once(user: User) -> None:
    await user.open('/login')
    ticket = a_ticket()
    await user.http_client.get(f'/auth/complete?ticket={ticket}')
    again = await user.http_client.get(f'/auth/complete?ticket={ticket}')
    assert again.status_code == 303 and again.headers['location'] == '/login?expired=1'
    assert not any(c.startswith(sessions.COOKIE_NAME) for c in again.headers.get_list('set-cookie'))


async def test_signing_out_erases_the_session_cookie(user: User) -> None:
    response = await user.http_client.get('/auth/sign-out')
    cookie = session_cookie(response)
    assert cookie['name'] == sessions.COOKIE_NAME and cookie['max-age'] == '0'
    assert response.headers['location'] == '/login?signed_out=1'


@pytest.mark.parametrize('target', ['//autre-site.example/', 'https://autre-site.example/', '/\\autre-site.example/'])
async def test_a_sign_in_never_sends_the_browser_to_another_site(user: User, target: str) -> None:
    await user.open('/login')
    response = await user.http_client.get('/auth/complete', params={'ticket': a_ticket(), 'next': target})
    location = response.headers['location']
    assert urlsplit(location).netloc == '' and not location.startswith('//') and '\\' not in location


async def test_the_sign_in_page_ignores_a_next_page_on_another_site(user: User) -> None:
    await user.open('/login?next=//autre-site.example/')
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.should_see('Cabinet Démo', retries=SLOW)


async def test_a_page_of_another_site_cannot_open_the_live_link(user: User, caplog: pytest.LogCaptureFixture) -> None:
    refused = await user.http_client.get(HANDSHAKE, headers={'Origin': ANOTHER_SITE})
    assert refused.status_code == 400
    assert 'access-control-allow-origin' not in refused.headers
    caplog.clear()  # engine.io logs the refusal for the operator, at ERROR level the first time


async def test_relais_own_pages_open_the_live_link(user: User) -> None:
    for origin in ('http://test', 'https://test'):  # https: behind the TLS proxy of RELAIS_HTTPS=1
        accepted = await user.http_client.get(HANDSHAKE, headers={'Origin': origin})
        assert accepted.status_code == 200 and '"sid"' in accepted.text


async def test_no_route_of_relais_allows_another_site_to_read_it(user: User) -> None:
    for path in ('/login', '/dossiers', '/mes-comptes'):
        response = await user.http_client.get(path, headers={'Origin': ANOTHER_SITE})
        assert 'access-control-allow-origin' not in response.headers
    forged = await user.http_client.post('/webhooks/bridge', content=b'{}', headers={'Origin': ANOTHER_SITE})
    assert forged.status_code in (400, 401, 403) and 'access-control-allow-origin' not in forged.headers


async def test_pages_are_kept_out_of_caches_and_say_their_charset(user: User) -> None:
    response = await user.http_client.get('/login')
    assert response.headers['cache-control'] == 'no-store'
    assert response.headers['content-type'] == 'text/html; charset=utf-8'


async def test_trace_is_not_served(user: User) -> None:
    assert (await user.http_client.request('TRACE', '/login')).status_code == 405


async def test_no_api_documentation_is_served(user: User) -> None:
    for path in ('/docs', '/redoc', '/openapi.json', '/docs/oauth2-redirect'):
        assert (await user.http_client.get(path)).status_code == 404, path


async def test_no_folder_is_listed_and_no_repository_file_is_served(user: User) -> None:
    for path in (f'/_nicegui/{nicegui_version}/static/', '/.git/config', '/.env', '/pyproject.toml', '/app.py'):
        response = await user.http_client.get(path)
        assert response.status_code == 404, path
        assert '[tool.' not in response.text and 'RELAIS_' not in response.text


async def test_an_unknown_page_says_so_without_a_stack_trace(user: User) -> None:
    response = await user.http_client.get('/page-qui-n-existe-pas')
    assert response.status_code == 404
    assert 'Traceback' not in response.text and 'File "' not in response.text


class TestBehindTheTlsProxy:
    @pytest.fixture(autouse=True)
    def https(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv('RELAIS_HTTPS', '1')

    async def test_every_response_asks_for_https_for_a_year_with_subdomains(self, user: User) -> None:
        response = await user.http_client.get('/login')
        assert response.headers['strict-transport-security'] == 'max-age=31536000; includeSubDomains'

    async def test_the_session_cookie_is_secure(self, user: User) -> None:
        await user.http_client.get('/login')
        response = await user.http_client.get(f'/auth/complete?ticket={a_ticket()}')
        assert 'secure' in session_cookie(response)


async def test_the_password_is_typed_masked_and_a_password_manager_may_fill_it(user: User) -> None:
    await user.open('/login')
    [password] = user.find(kind=ui.input, content='Mot de passe').elements
    assert password.props['type'] == 'password'
    assert password.props['autocomplete'] == 'current-password'  # no onpaste block: pasting is allowed


async def test_no_script_style_or_font_comes_from_another_site(user: User) -> None:
    page = (await user.http_client.get('/login')).text
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page)
    assert sources, 'the page names its scripts'
    assert all(not urlsplit(source).netloc for source in sources), [s for s in sources if urlsplit(s).netloc]
