"""The demo's SMS operator and mailbox: what Relais sends to people, received for real and shown to the tester.

- SMS: an HTTP gateway, `POST /sms` with `Authorization: Bearer <token>` and `{"to": "+33…", "text": "…"}`
  (the contract of Relais's `RELAIS_SMS_URL`); 201 with the message id, 401 without the token, 400 when a field is
  missing.
- E-mail: an SMTP server (aiosmtpd) on a loopback port, started by `Mailbox.start()`; every message it accepts is
  kept, whatever its recipients.
- `GET /messages` lists both, newest first, as a page (a tester reads the temporary password there, as the person
  would on the phone); `GET /messages.json` is the same for scripts and tests.

This is where Relais's secrets end up in the demo: Relais itself keeps none of them once sent.
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Annotated, Any

from aiosmtpd.controller import Controller
from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse, JSONResponse

from sandbox.store import Store
from sandbox.views import CSS, esc

router = APIRouter()
DEMO_SMS_TOKEN = 'relais-demo-sms-token'


@dataclass(frozen=True)
class Received:
    id: int
    channel: str
    sender: str | None
    recipient: str
    subject: str | None
    body: str
    received_at: str


class Messages:
    def __init__(self, store: Store) -> None:
        self.store = store

    def keep(self, *, channel: str, recipient: str, body: str, sender: str | None = None, subject: str | None = None):
        at = datetime.now(UTC).isoformat(timespec='seconds')
        self.store._run(
            'INSERT INTO received_messages (channel, sender, recipient, subject, body, received_at) '
            'VALUES (?, ?, ?, ?, ?, ?)',
            (channel, sender, recipient, subject, body, at),
        )

    def all(self) -> list[Received]:
        return self.store.select_records(Received, 'SELECT * FROM received_messages ORDER BY id DESC')


class _Handler:
    def __init__(self, messages: Messages) -> None:
        self.messages = messages

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed: EmailMessage = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[assignment]
        part = parsed.get_body(preferencelist=('plain', 'html'))
        body = part.get_content() if part is not None else ''
        for recipient in envelope.rcpt_tos:
            self.messages.keep(
                channel='email', recipient=recipient, body=body, sender=envelope.mail_from, subject=parsed['Subject']
            )
        return '250 Message accepted for delivery'


class Mailbox:
    """The SMTP side, on 127.0.0.1 and a free port unless one is given."""

    def __init__(self, messages: Messages) -> None:
        self.messages = messages
        self._controller: Controller | None = None

    def start(self, port: int = 0) -> int:
        if self._controller is None:
            self._controller = Controller(_Handler(self.messages), hostname='127.0.0.1', port=port or _free_port())
            self._controller.start()
        return self._controller.port

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _messages(request: Request) -> Messages:
    return request.app.state.messages


@router.post('/sms')
async def receive_sms(request: Request, payload: Annotated[dict, Body()]) -> JSONResponse:
    """One SMS; a second sending under the same ``Idempotency-Key`` is acknowledged and not delivered again."""
    expected = f'Bearer {request.app.state.sms_token}'
    if not hmac.compare_digest(request.headers.get('authorization', '').encode(), expected.encode()):
        return JSONResponse({'error': 'jeton de la passerelle SMS invalide'}, status_code=401)
    to, text = str(payload.get('to') or '').strip(), str(payload.get('text') or '')
    if not to or not text:
        return JSONResponse({'error': 'to et text sont obligatoires'}, status_code=400)
    key, seen = request.headers.get('idempotency-key'), request.app.state.sms_keys
    if key and key in seen:
        return JSONResponse({'status': 'duplicate'}, status_code=200)
    _messages(request).keep(channel='sms', recipient=to, body=text)
    if key:
        seen.add(key)
    hold = request.app.state.sms_hold
    if hold['count'] > 0:
        hold['count'] -= 1
        await asyncio.sleep(hold['seconds'])  # delivered to the phone; the sender hears of it only later
    return JSONResponse({'status': 'accepted'}, status_code=201)


@router.post('/sms/hold')
def hold_sms(request: Request, payload: Annotated[dict, Body()]) -> dict:
    """The next ``count`` SMS are delivered, then their answer held ``seconds``: a slow operator, for the tests."""
    request.app.state.sms_hold.update(count=int(payload.get('count') or 1), seconds=float(payload.get('seconds') or 5))
    return dict(request.app.state.sms_hold)


@router.get('/messages.json')
def messages_json(request: Request) -> list[dict]:
    return [message.__dict__ for message in _messages(request).all()]


@router.get('/messages', response_class=HTMLResponse)
def messages_page(request: Request) -> str:
    rows = _messages(request).all()
    items = ''.join(
        f'<div class="card" data-testid="received-{m.id}"><div class="hint">'
        f'{"SMS" if m.channel == "sms" else "E-mail"} · {esc(m.recipient)} · {esc(m.received_at)}</div>'
        + (f'<strong>{esc(m.subject)}</strong>' if m.subject else '')
        + f'<p style="white-space:pre-wrap">{esc(m.body)}</p></div>'
        for m in rows
    )
    empty = '<p class="notice">Aucun message reçu pour le moment.</p>'
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>Messages reçus (démo)</title><style>{CSS}</style></head><body>'
        '<header><span class="brand">Opérateur SMS et messagerie (démo)</span></header>'
        f'<main><h1>Messages reçus</h1><p class="demo">Ce que les personnes reçoivent sur leur téléphone et dans '
        f'leur messagerie : Relais n’en garde pas le contenu.</p>{items or empty}</main></body></html>'
    )
