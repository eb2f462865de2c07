"""The HTTP endpoints where the outside world posts: the aggregator's webhooks, the bank's mandated statements."""

from __future__ import annotations

from fastapi import FastAPI, Request
from nicegui import background_tasks, run
from starlette.responses import JSONResponse

from services import bank_channel, deliveries, webhooks
from services.errors import DomainError, NotFound


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

    @app.post(bank_channel.INBOX_PATH, include_in_schema=False)
    async def bank_statements(request: Request) -> JSONResponse:
        body = await request.body()
        try:
            summary = await run.io_bound(
                bank_channel.receive,
                body,
                request.headers.get('X-Bank-Signature'),
                mandate_reference=request.headers.get('X-Bank-Mandate'),
            )
        except bank_channel.InboxRefused as refused:
            return JSONResponse({'error': str(refused)}, status_code=refused.status)
        except DomainError as error:  # not a statement file, or malformed: nothing of it was imported
            return JSONResponse({'error': str(error)}, status_code=422)
        if summary.to_connector:  # delivered now, not at the next round of the scheduler
            background_tasks.create(deliveries.deliver_due(), name='deliver bank statements')
        return JSONResponse({'statements': summary.statements, 'already_known': summary.already_known})
