"""One model of connection health (DESIGN.md): aggregator codes → status, French words, who acts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.cadence import WAITING_FOR_CLIENT
from services.clock import aware, now
from services.formatting import day, moment

CONSENT_WARNING = timedelta(days=14)
TECHNICAL = frozenset({'provider_error', 'bank_unavailable'})  # the sync failed beyond the client: « Réessayer »


@dataclass(frozen=True)
class StatusInfo:
    code: str
    label: str
    sentence: str
    who_acts: str  # client, firm, support, nobody
    problem: bool


STATUSES = {
    'ok': StatusInfo('ok', 'Synchronisée', 'La connexion est à jour.', 'nobody', False),
    'syncing': StatusInfo('syncing', 'Synchronisation en cours', 'La synchronisation est en cours.', 'nobody', False),
    'consent_expiring': StatusInfo(
        'consent_expiring',
        'Renouvellement à prévoir',
        'Le consentement DSP2 arrive à échéance : le client doit renouveler son authentification forte.',
        'client',
        True,
    ),
    'sca_required': StatusInfo(
        'sca_required',
        'Renouvellement DSP2 requis',
        'Impossible de synchroniser cette connexion bancaire : le client doit renouveler son authentification forte.',
        'client',
        True,
    ),
    'credentials_invalid': StatusInfo(
        'credentials_invalid',
        'Identifiants refusés / mot de passe modifié',
        'Impossible de synchroniser cette connexion bancaire : le code secret a changé ou a été refusé.',
        'client',
        True,
    ),
    'bank_action_required': StatusInfo(
        'bank_action_required',
        'Action requise sur le site de la banque',
        'Impossible de synchroniser cette connexion bancaire : une action est requise sur le site de la banque.',
        'client',
        True,
    ),
    'pro_validation_required': StatusInfo(
        'pro_validation_required',
        'Validation des comptes professionnels requise',
        'Veuillez valider votre/vos compte(s) professionnel(s) en cliquant sur ce lien.',
        'client',
        True,
    ),
    'bank_unavailable': StatusInfo(
        'bank_unavailable',
        'Banque indisponible',
        'La banque est momentanément indisponible ; une nouvelle tentative sera faite automatiquement.',
        'nobody',
        True,
    ),
    'provider_error': StatusInfo(
        'provider_error',
        'Erreur technique',
        'Impossible de synchroniser cette connexion bancaire à cause d’une erreur technique.',
        'support',
        True,
    ),
    'maintenance': StatusInfo(
        'maintenance', 'Maintenance planifiée', 'La banque est en maintenance planifiée.', 'nobody', True
    ),
    'disabled': StatusInfo(
        'disabled', 'Synchronisation désactivée', 'La synchronisation est désactivée.', 'nobody', False
    ),
}


def from_provider(code: int, info: str | None) -> str:
    """The status code of DESIGN.md for an aggregator item status."""
    info = (info or '').upper()
    if code == 0:
        return 'ok'
    if code in (-2, -3):
        return 'syncing'
    if code == 402 or (code == 429 and info == 'PWD_RENEWAL') or code == 430:
        return 'credentials_invalid'
    if code == 429:
        return 'bank_action_required'
    if code == 1010:
        return 'sca_required'
    if code == 1100:
        return 'pro_validation_required'
    if code == 1007 or (code == 1003 and info == 'BANK_IS_DOWN'):
        return 'bank_unavailable'
    return 'provider_error'


def effective(status: str, consent_expires_at: datetime | None, *, at: datetime | None = None) -> str:
    """A healthy connection whose consent ends within 14 days is « à renouveler »."""
    moment = at or now()
    expires = aware(consent_expires_at)
    if status == 'ok' and expires is not None and expires - moment <= CONSENT_WARNING:
        return 'consent_expiring' if expires > moment else 'sca_required'
    return status


def label(status: str, consent_expires_at: datetime | None = None) -> str:
    info = STATUSES[status]
    if status == 'consent_expiring' and consent_expires_at is not None:
        days = max(0, (aware(consent_expires_at) - now()).days)
        return f'{info.label} (J-{days})'
    return info.label


def renewal_text(status: str, consent_expires_at: datetime | None) -> str:
    """« Renouvellement »: when the consent ends and the days left, unless the bank already asks for it."""
    if status == 'sca_required':  # the bank may ask before the date it gave: the date would mislead
        return 'À renouveler maintenant'
    expires = aware(consent_expires_at)
    if expires is None:
        return '—'
    return f'{day(expires)} (J-{max(0, (expires - now()).days)})'


def next_sync_text(status: str, next_sync_at: datetime | None) -> str:
    """« Prochaine synchronisation »: the scheduler does not retry what waits for the client."""
    return 'En attente du client' if status in WAITING_FOR_CLIENT else moment(next_sync_at)
