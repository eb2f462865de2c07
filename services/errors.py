"""Domain errors. Their message is French and is shown to the user as it is (pages turn them into ui.notify)."""


class DomainError(Exception):
    """Something the user can understand and fix."""


class NotFound(DomainError):
    """Missing, or belongs to someone else: the two are never told apart."""

    def __init__(self, what: str = 'Élément') -> None:
        super().__init__(f'{what} introuvable.')


class Forbidden(DomainError):
    def __init__(self, message: str = "Vous n'avez pas le droit de faire cette action.") -> None:
        super().__init__(message)


class InvalidInput(DomainError):
    """One or more fields are wrong; ``errors`` maps a field name to its French message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(' '.join(errors.values()))


class AuthError(DomainError):
    """Sign-in or strong authentication refused."""
