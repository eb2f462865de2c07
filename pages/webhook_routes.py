"""The HTTP endpoint where the aggregator posts its webhooks."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse

from services import webhooks
from services.errors import NotFound


def register(app: FastAPI) -> None:
    @app.post('/webhooks/{module}', include_in_schema=False)
    async def receive(module: str, request: Request) -> JSONResponse:
        body = await request.body()
        try:
            handled = webhooks.handle(module, body, request.headers.get('BridgeApi-Signature'))
        except NotFound:
            return JSONResponse({'error': 'unknown module'}, status_code=404)
        except webhooks.BadSignature:
            return JSONResponse({'error': 'bad signature'}, status_code=401)
        return JSONResponse({'handled': handled})
