"""Demo persons and client users: who the firm registered for « Entreprise fictive », and a second company's
dirigeant (to show that one client never sees another)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from services.models import Client, User
from services.rights import Grant, replace_grants
from services.user_models import RegisteredPerson

# (nom, prénom, date de naissance, téléphone, e-mail) registered by the firm for the fictive company
FICTIVE_PERSONS = [
    ('Martin', 'Jean-Michel', date(1968, 4, 12), '0612345678', 'dirigeant@entreprise-fictive.fr'),
    ('Garnier', 'Lucie', date(1985, 9, 3), '0623456789', None),
    ('Benali', 'Karim', date(1991, 1, 27), '0634567890', 'karim.benali@entreprise-fictive.fr'),
    ('Rousseau', 'Élodie', date(1979, 6, 18), '0645678901', None),
    ('Lefèvre', 'Thomas', date(1988, 11, 5), '0656789012', 'thomas.lefevre@entreprise-fictive.fr'),
]
PREPARER_EMAIL = 'thomas.lefevre@entreprise-fictive.fr'  # a préparateur: he manages, he never validates


def seed_people(session: Session, fictive: Client) -> None:
    if session.exec(select(RegisteredPerson).where(RegisteredPerson.client_id == fictive.id)).first():
        return
    for last, first, born, phone, email in FICTIVE_PERSONS:
        user = session.exec(select(User).where(User.email == email)).first() if email else None
        if user is not None:
            user.birth_date, user.phone = born, phone
            session.add(user)
        session.add(
            RegisteredPerson(
                client_id=fictive.id,
                last_name=last,
                first_name=first,
                birth_date=born,
                phone=phone,
                email=email,
                user_id=user.id if user else None,
            )
        )


def grant_preparer(session: Session, *, to_sign_id: int, signed_id: int) -> None:
    """The demo préparateur manages the IBAN whose mandate waits for a signature (he cannot sign it) and sees the
    other one."""
    preparer = session.exec(select(User).where(User.email == PREPARER_EMAIL)).first()
    if preparer is None:
        return
    replace_grants(
        session,
        user=preparer,
        grants=[Grant('account', to_sign_id, True, True, False), Grant('account', signed_id, True, False, False)],
    )
