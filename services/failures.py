"""The last resort for what nobody expected: an exception no service turned into a French sentence.

It gets an error id that the person can quote to the support (« ERR-7K3Q9X »); the log keeps the traceback under
that id, and the audit journal of the firm concerned keeps the id, where it happened and who was acting — in
French, since the journal is a screen too. A DomainError is not a failure: its message is the answer.
"""

from __future__ import annotations

import contextlib
import logging
import secrets

from services import audit
from services.db import session_scope
from services.errors import DomainError
from services.permissions import Actor

log = logging.getLogger('relais.failures')
_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'  # no 0/O, 1/I: read aloud on the phone
_ID_ATTRIBUTE = '_relais_error_id'


def new_error_id() -> str:
    return 'ERR-' + ''.join(secrets.choice(_ALPHABET) for _ in range(6))


def report(error: BaseException, *, where: str, actor: Actor | None = None, firm_id: int | None = None) -> str:
    """Log and journal ``error`` once (the page and the application handlers may both see it); its error id."""
    known = getattr(error, _ID_ATTRIBUTE, None)
    if known:
        return known
    error_id = new_error_id()
    with contextlib.suppress(AttributeError):  # an exception with __slots__ is reported each time: harmless
        setattr(error, _ID_ATTRIBUTE, error_id)
    log.error('%s in %s (user %s)', error_id, where, actor.email if actor else '-', exc_info=error)
    try:
        with session_scope() as session:
            audit.record(
                session,
                'system.error',
                actor=actor,
                firm_id=firm_id if firm_id is not None else (actor.firm_id if actor else None),
                target_type='error',
                target_id=error_id,
                detail=f'Erreur inattendue {error_id} : {where}',
            )
    except Exception:  # the database may be what failed: the log line above is then all the support has
        log.exception('%s could not be written to the audit journal', error_id)
    return error_id


def sentence(error: BaseException, error_id: str | None = None) -> str:
    """What the person reads: the DomainError's own words, else the error id to quote."""
    if isinstance(error, DomainError):
        return str(error)
    return (
        f'Une erreur inattendue a empêché cette action d’aboutir. Réessayez dans un instant ; si elle se '
        f'reproduit, donnez au support le code {error_id or "de l’erreur"}.'
    )
