"""The aggregator modules this installation offers (« Synchronisation avec Bridge », …), built at start-up."""

from __future__ import annotations

from services.errors import NotFound
from services.providers.base import Aggregator
from services.providers.bridge import BridgeAggregator
from services.settings import Settings

_modules: dict[str, Aggregator] = {}


def configure(settings: Settings) -> None:
    register(
        BridgeAggregator(
            key='bridge',
            label='Synchronisation avec Bridge',
            base_url=settings.provider_url,
            client_id=settings.provider_client_id,
            client_secret=settings.provider_client_secret,
            webhook_secret=settings.provider_webhook_secret,
        )
    )


def register(module: Aggregator) -> None:
    _modules[module.key] = module


def modules() -> dict[str, str]:
    return {key: module.label for key, module in _modules.items()}


def get(key: str | None) -> Aggregator:
    if key not in _modules:
        raise NotFound('Module de synchronisation')
    return _modules[key]


async def close() -> None:
    for module in _modules.values():
        await module.aclose()
    _modules.clear()
