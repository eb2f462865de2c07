"""Every call Relais makes to the outside world — the aggregator, the bank's channel, connectors, the SMS gateway,
the mail server — has one time budget and fails with one kind of error, in French.

Why one place: a page that waits on a partner must end, within seconds of the click, in a sentence that says
what happened and what to do, and that sentence must never be the library's or the operating system's text
(« ConnectError », « Permission denied », « Item not found »). Adapters raise ``OutboundError`` (a DomainError,
so the pages' one handler shows it); its ``detail`` keeps the technical text for the log and the support.

The budget: each call gets ``timeout()`` seconds in all, its retries included (``Budget``). A user's action that
makes several calls runs under ``deadline(ACTION_SECONDS)`` so that the whole action, not each call, ends in time.
"""

from __future__ import annotations

import contextvars
import errno
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from services.errors import DomainError

ACTION_SECONDS = 15.0  # what a person waits at most after a click before Relais answers
_settings = {'timeout': 10.0}
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar('outbound_deadline', default=None)


class OutboundError(DomainError):
    """A partner failed or refused. ``str()`` is the French sentence; ``detail`` the technical cause, for the log."""

    def __init__(self, message: str, *, detail: str = '', retryable: bool = True, status: int | None = None) -> None:
        super().__init__(message)
        self.detail = detail
        self.retryable = retryable
        self.status = status


def configure(*, timeout: float) -> None:
    _settings['timeout'] = timeout


def timeout() -> float:
    """The seconds one outbound call may take, retries included (RELAIS_OUTBOUND_TIMEOUT)."""
    return _settings['timeout']


@contextmanager
def deadline(seconds: float = ACTION_SECONDS) -> Iterator[None]:
    """Within this block every outbound call ends before ``seconds`` from now (an earlier deadline stays)."""
    ends = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(ends if outer is None else min(outer, ends))
    try:
        yield
    finally:
        _deadline.reset(token)


def unbounded_context() -> contextvars.Context:
    """The current context without the action's deadline: for background work a click starts and outlives."""
    context = contextvars.copy_context()
    context.run(_deadline.set, None)
    return context


class Budget:
    """The time one call has left: its own timeout, cut by the deadline of the action it belongs to."""

    def __init__(self, seconds: float | None = None) -> None:
        ends = time.monotonic() + (timeout() if seconds is None else seconds)
        action = _deadline.get()
        self.ends = ends if action is None else min(ends, action)

    @property
    def left(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def httpx_timeout(self) -> httpx.Timeout:
        left = max(0.05, self.left)
        return httpx.Timeout(left, connect=min(left, 5.0))


def waiting_sentence() -> str:
    return f'aucune réponse en {round(timeout())} secondes'


def transport_sentence(partner: str, error: BaseException) -> str:
    """What happened, for a person: ``partner`` names who failed (« L’agrégateur bancaire »)."""
    if isinstance(error, httpx.TimeoutException | TimeoutError):
        return f'{partner} ne répond pas ({waiting_sentence()}).'
    if isinstance(error, httpx.HTTPStatusError):
        return f'{partner} a répondu par une erreur (code {error.response.status_code}).'
    if isinstance(error, ssl.SSLError) or 'CERTIFICATE_VERIFY_FAILED' in str(error):
        return f'{partner} présente un certificat qui n’a pas pu être vérifié.'
    if isinstance(error, httpx.TransportError | ConnectionError):
        return f'{partner} est injoignable pour le moment.'
    if isinstance(error, OSError):
        return f'{partner} : {file_sentence(error)}.'
    return f'{partner} a rencontré une erreur technique.'


def file_sentence(error: OSError) -> str:
    """An operating-system error on a file or folder, in French (never its English ``strerror``)."""
    sentences = {
        errno.EACCES: 'droit d’écriture refusé sur le dossier',
        errno.EPERM: 'droit d’écriture refusé sur le dossier',
        errno.EROFS: 'le dossier est en lecture seule',
        errno.ENOSPC: 'le disque est plein',
        errno.EDQUOT: 'le quota du disque est atteint',
        errno.ENOENT: 'dossier introuvable',
        errno.ENOTDIR: 'le chemin n’est pas un dossier',
        errno.EEXIST: 'un fichier porte déjà le nom du dossier',
        errno.EISDIR: 'le chemin désigne un dossier, pas un fichier',
        errno.ENAMETOOLONG: 'nom de fichier trop long',
    }
    return sentences.get(error.errno or 0, 'erreur du système de fichiers')


def technical(error: BaseException) -> str:
    """The cause as the support reads it in the log (never shown on a screen)."""
    return f'{type(error).__name__}: {error}'[:500]
