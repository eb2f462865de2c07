"""What every signed-in page does first: check the permission, then open the shared frame."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from nicegui import Client, context, run, ui

from components.frame import frame
from components.strong_auth import ask_strong_auth
from services import events, firms, maintenance, sessions
from services.clock import aware, now
from services.formatting import moment
from services.permissions import Actor


def maintenance_notices(actor: Actor) -> list[str]:
    if not actor.is_firm_staff:
        return []
    notices = []
    for window in maintenance.current_and_coming(actor):
        kind = maintenance.KINDS[window.kind]
        when = (
            f'en cours jusqu’au {moment(window.ends_at)}'
            if aware(window.starts_at) <= now()
            else f'du {moment(window.starts_at)} au {moment(window.ends_at)}'
        )
        notices.append(f'Maintenance planifiée — {window.bank_name} ({kind}) {when} : {window.message}')
    return notices


def when_heard(matches: Callable[[events.Event], bool], act: Callable[[], None]) -> None:
    """Run ``act`` in this page whenever an event ``matches``, as long as the page is open (events reach
    listeners on the application's loop: services.events hops there)."""
    client = context.client

    def hear(event: events.Event) -> None:
        if matches(event) and client.id in Client.instances:
            with client:
                act()

    client.on_delete(events.subscribe(hear))


def leave_when_disabled(actor: Actor) -> None:
    """A disabled user's open pages leave at once."""
    when_heard(
        lambda event: isinstance(event, events.UserAccessChanged) and event.user_id == actor.user_id and event.disabled,
        lambda: ui.navigate.to('/login?expired=1'),
    )


@contextmanager
def page_frame(actor: Actor, title: str) -> Iterator[ui.column]:
    request = context.client.request

    def sign_out() -> None:
        sessions.sign_out(actor)
        ui.navigate.to('/auth/sign-out')

    def activity() -> None:
        sessions.resume(actor.session_id, ip=actor.ip, touch=True)

    def check() -> None:
        if sessions.resume(actor.session_id, ip=actor.ip, touch=False) is None:
            ui.navigate.to('/login?expired=1')

    with frame(
        actor,
        title=title,
        firm_name=firms.firm_name(actor),
        current_path=request.url.path,
        on_sign_out=sign_out,
        on_activity=activity,
        on_check=check,
        notices=maintenance_notices(actor),
    ) as content:
        leave_when_disabled(actor)
        yield content


async def confirm_with_strong_auth(actor: Actor, *, purpose: str, reason: str) -> bool:
    async def verify(code: str) -> None:
        await run.io_bound(sessions.strong_authentication, actor, code, purpose=purpose)

    return await ask_strong_auth(verify, reason=reason)
