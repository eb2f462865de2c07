"""When a connection is synchronised next, without the user: the PSD2 quota, the backoff, who we wait for.

The aggregator allows 4 unattended refreshes per account per 24 h, so a healthy connection is refreshed every
6 hours. A bank that is down is retried sooner at first, then less and less often. A connection that waits for
its client (new secret code, DSP2 renewal, professional accounts, the bank's website) is not retried: nothing
would change before the client acts, and each try would eat the quota.
"""

from __future__ import annotations

from datetime import datetime, timedelta

SYNC_EVERY = timedelta(hours=6)
FIRST_RETRY = timedelta(hours=1)
WAITING_FOR_CLIENT = frozenset(
    {'credentials_invalid', 'sca_required', 'bank_action_required', 'pro_validation_required'}
)
RETRYABLE = frozenset({'bank_unavailable', 'provider_error'})


def next_sync(status: str, *, failures: int, at: datetime) -> datetime | None:
    """The moment of the next unattended sync after one that ended in ``status`` at ``at``; None: not planned."""
    if status in WAITING_FOR_CLIENT or status == 'disabled':
        return None
    if status == 'bank_unavailable':
        return at + min(SYNC_EVERY, FIRST_RETRY * 2 ** max(0, failures - 1))
    return at + SYNC_EVERY
