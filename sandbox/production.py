"""A production tool's statement receiver (MEG, Pennylane… as far as Relais's webhook connectors need one).

The firm registers the connector's signing secret with the tool (`PUT /production/{receiver}`); each statement then
arrives as `POST /production/{receiver}/releves`, signed `X-Relais-Signature: sha256=<HMAC of the body>`, under an
`Idempotency-Key`: a second sending of the same key is acknowledged again and not stored twice. What was received is
listed at `GET /production/{receiver}/releves`. Receivers live in memory: a restarted sandbox forgets them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Header, Request
from fastapi.responses import JSONResponse

router = APIRouter()


@dataclass
class Received:
    key: str
    file_name: str
    body: bytes
    received_at: str


@dataclass
class Receiver:
    secret: str
    files: dict[str, Received] = field(default_factory=dict)
    fail_next: int = 0  # answers 503 this many times: lets a demo (or a test) watch retries
    hold_next: float = 0.0  # the next file is stored, then its answer held this many seconds (a slow tool)


def _receivers(request: Request) -> dict[str, Receiver]:
    state = request.app.state
    if not hasattr(state, 'receivers'):
        state.receivers = {}
    return state.receivers


@router.put('/production/{receiver}')
def register(request: Request, receiver: str, payload: Annotated[dict, Body()]) -> dict:
    secret = str(payload.get('secret') or '')
    if len(secret) < 16:
        return JSONResponse({'error': 'secret: 16 caractères au moins'}, status_code=400)
    existing = _receivers(request).get(receiver)
    _receivers(request)[receiver] = Receiver(
        secret,
        existing.files if existing else {},
        int(payload.get('fail_next', 0)),
        float(payload.get('hold_next', 0)),
    )
    return {'receiver': receiver}


@router.post('/production/{receiver}/releves')
async def receive(
    request: Request,
    receiver: str,
    idempotency_key: Annotated[str | None, Header()] = None,
    x_relais_signature: Annotated[str | None, Header()] = None,
    x_relais_file_name: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    target = _receivers(request).get(receiver)
    if target is None:
        return JSONResponse({'error': 'destinataire inconnu'}, status_code=404)
    body = await request.body()
    expected = 'sha256=' + hmac.new(target.secret.encode(), body, hashlib.sha256).hexdigest()
    if not x_relais_signature or not hmac.compare_digest(expected, x_relais_signature):
        return JSONResponse({'error': 'signature invalide'}, status_code=401)
    if not idempotency_key:
        return JSONResponse({'error': 'Idempotency-Key manquant'}, status_code=400)
    if target.fail_next > 0:
        target.fail_next -= 1
        return JSONResponse({'error': 'indisponible'}, status_code=503)
    if idempotency_key in target.files:
        return JSONResponse({'status': 'duplicate', 'key': idempotency_key}, status_code=200)
    now = datetime.now(UTC).isoformat()
    target.files[idempotency_key] = Received(idempotency_key, x_relais_file_name or 'releve', body, now)
    if target.hold_next:
        hold, target.hold_next = target.hold_next, 0.0
        await asyncio.sleep(hold)  # stored, but the sender hears nothing yet: if it dies now, it will send again
    return JSONResponse({'status': 'received', 'key': idempotency_key}, status_code=201)


@router.get('/production/{receiver}/releves')
def received(request: Request, receiver: str) -> list[dict]:
    target = _receivers(request).get(receiver)
    if target is None:
        return JSONResponse({'error': 'destinataire inconnu'}, status_code=404)
    return [
        {
            'key': f.key,
            'file_name': f.file_name,
            'size': len(f.body),
            'received_at': f.received_at,
            'body': f.body.decode('utf-8', 'replace'),
        }
        for f in target.files.values()
    ]
