"""Text normalisation shared by storage and search."""

import unicodedata


def search_key(value: str) -> str:
    """Lower case without accents, so that « societe » finds « Société » on SQLite and PostgreSQL alike."""
    decomposed = unicodedata.normalize('NFKD', value)
    return ''.join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()
