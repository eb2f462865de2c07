"""Services emit from worker threads (imports under run.io_bound, daily statements under asyncio.to_thread, webhooks);
the open screens hear every event on the application's loop (services.events hops there), under asyncio's debug mode,
where a page task created from another thread would raise."""

from __future__ import annotations

import asyncio
import threading

from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from services import events
from services.banking_models import BankConnection
from services.db import session_scope
from services.models import Client

from .conftest import SLOW, sign_in


def a_connection() -> tuple[int, int, int]:
    with session_scope() as session:
        client = session.exec(select(Client).where(Client.legal_name == 'EntrepriseFictive SARL')).one()
        connection = BankConnection(
            client_id=client.id, firm_id=client.firm_id, provider='bridge', provider_item_id='t-1', bank_name='CIC'
        )
        session.add(connection)
        session.flush()
        return client.firm_id, client.id, connection.id


def now_waiting_for_the_client(connection_id: int) -> None:
    with session_scope() as session:
        connection = session.get(BankConnection, connection_id)
        connection.status = 'sca_required'
        session.add(connection)


def waiting_for_the_client(user: User) -> str:
    """The « Action du client » count of the health screen."""
    labels = user.find(kind=ui.label).elements
    return next(label.text for label in labels if label.props.get('data-testid') == 'health-who-client-value')


async def test_an_event_emitted_from_a_worker_thread_redraws_the_open_health_screen(user: User) -> None:
    assert asyncio.get_running_loop().get_debug()  # pyproject's asyncio_debug: a thread-safety violation raises
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    firm_id, client_id, connection_id = a_connection()
    await user.open('/sante')
    await user.should_see('Santé des connexions', retries=SLOW)
    assert waiting_for_the_client(user) == '0'
    now_waiting_for_the_client(connection_id)
    event = events.ConnectionChanged(firm_id, client_id, connection_id, 'sca_required', 'DSP2')
    worker = threading.Thread(target=events.emit, args=(event,))  # as an import in run.io_bound would
    worker.start()
    worker.join()
    for _ in range(SLOW):  # the live round comes 0.15 s after the event
        if waiting_for_the_client(user) == '1':
            break
        await asyncio.sleep(0.1)
    assert waiting_for_the_client(user) == '1'


async def test_an_event_from_a_thread_reaches_a_page_listener_on_the_loop_thread(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    heard: list[int] = []
    loop_thread = threading.get_ident()
    unsubscribe = events.subscribe(lambda event: heard.append(threading.get_ident()))
    try:
        await asyncio.to_thread(events.emit, events.VentilationChanged(1, 'allocated'))
        for _ in range(SLOW):
            if heard:
                break
            await asyncio.sleep(0.05)
    finally:
        unsubscribe()
    assert heard == [loop_thread]
