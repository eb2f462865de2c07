"""Text normalisation shared by storage and search."""

import unicodedata


def search_key(value: str) -> str:
    """Lower case without accents, so that « societe » finds « Société » on SQLite and PostgreSQL alike."""
    if value.isascii():  # most bank labels: nothing to decompose, and imports call this for every transaction
        return value.lower().strip()
    decomposed = unicodedata.normalize('NFKD', value)
    return ''.join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()
