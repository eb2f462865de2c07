"""« Ajouter un utilisateur » (and « Modifier les droits »): person, rights (copy, custom, profile), check, confirm.

Takes data and callbacks only: ``load_copy(user_id)`` gives another user's (profile, grants); ``save(person_id,
email, profile, grants, code)`` makes the change with the strong-authentication code (and raises DomainError)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nicegui import ui

from components.rights_grid import Key, grants_from, rights_grid, ticks_from
from components.strong_auth import ask_strong_auth
from services.errors import DomainError
from services.formatting import day
from services.rights import PRESETS, PROFILE_LABELS, RIGHTS, Resource, narrowest_profile
from services.validation import email as checked_email

WAYS = {
    'copy': 'Copier les droits à partir d’un autre utilisateur',
    'custom': 'Attribuer des droits personnalisés',
    'profile': 'Attribuer un profil',
}
DONE = 'Parfait ! Votre nouvel utilisateur est déjà opérationnel.'


@dataclass
class Choice:
    person_id: int | None = None
    email: str = ''
    way: str = 'profile'
    profile: str = ''
    ticks: dict[Key, set[str]] = field(default_factory=dict)


class UserWizard:
    def __init__(
        self,
        *,
        persons: list,
        users: list,
        resources: list[Resource],
        load_copy: Callable,
        save: Callable[..., Awaitable[None]],
        precheck: Callable[..., Awaitable[None]] | None = None,
        change_of=None,
    ) -> None:
        self.persons, self.users, self.resources = persons, users, resources
        self.load_copy, self.save, self.precheck, self.change_of = load_copy, save, precheck, change_of
        self.saved = False
        self.choice = Choice()
        if change_of is not None:
            self.choice = Choice(
                person_id=0,
                email=change_of.email,
                way='profile',
                profile=change_of.profile,
                ticks=ticks_from(change_of.grants),
            )
        self.stepper = ui.stepper().props('vertical animated flat').classes('w-full')
        with self.stepper:
            if change_of is None:
                with ui.step('Personne'):
                    self.person_step()
            with ui.step('Droits'):
                self.rights_step()
            with ui.step('Vérification'):
                self.check_step()

    def person_step(self) -> None:
        free = [p for p in self.persons if p.user_id is None]
        if not free:
            ui.label(
                'Aucune personne enregistrée n’attend d’accès : contactez votre cabinet pour qu’il enregistre '
                'la personne (nom, prénom, date de naissance, téléphone).'
            ).props('data-testid=no-person').mark('no-person')
            return
        options = {p.id: f'{p.first_name} {p.last_name}' for p in free}
        ui.select(options, label='Personne enregistrée', on_change=lambda e: self.pick(e.value)).props(
            'outlined dense data-testid=person-select'
        ).classes('w-full max-w-md').mark('person-select')
        self.person_card = ui.column().classes('gap-1')
        with ui.stepper_navigation():
            ui.button('Suivant', on_click=self.after_person).props(
                'no-caps unelevated data-testid=wizard-next-person'
            ).mark('wizard-next-person')

    def pick(self, person_id: int) -> None:
        person = next(p for p in self.persons if p.id == person_id)
        self.choice.person_id, self.choice.email = person_id, person.email or ''
        self.person_card.clear()
        with self.person_card:
            ui.label('Vérifiez l’identité de la personne :').classes('text-sm text-slate-600')
            for label, value in (
                ('Nom', person.last_name),
                ('Prénom', person.first_name),
                ('Date de naissance', day(person.birth_date)),
                ('Téléphone', person.phone),
            ):
                ui.label(f'{label} : {value}').classes('text-sm').props(
                    f'data-testid=person-{label.split()[0].lower()}'
                )
            self.checked = (
                ui.checkbox('J’ai vérifié ces informations').props('data-testid=person-checked').mark('person-checked')
            )
            self.email = (
                ui.input('Adresse e-mail', value=self.choice.email)
                .props('outlined dense type=email data-testid=person-email')
                .mark('person-email')
                .classes('w-full max-w-md')
            )

    def after_person(self) -> None:
        if self.choice.person_id is None:
            ui.notify('Choisissez la personne.', type='warning')
            return
        if not self.checked.value:
            ui.notify('Vérifiez le nom, le prénom, la date de naissance et le téléphone.', type='warning')
            return
        address, problem = checked_email(self.email.value or '')
        if problem or not address:
            self.email.error = 'Une adresse mail valide est indispensable.'
            return
        self.email.error, self.choice.email = None, address
        self.stepper.value = 'Droits'  # set here, not by the browser's next(): the step is known server-side

    def rights_step(self) -> None:
        ui.radio(WAYS, value=self.choice.way, on_change=lambda e: self.show_way(e.value)).props(
            'data-testid=rights-way'
        )
        self.way_box = ui.column().classes('w-full gap-2')
        self.show_way(self.choice.way)
        with ui.stepper_navigation():
            ui.button('Suivant', on_click=self.after_rights).props(
                'no-caps unelevated data-testid=wizard-next-rights'
            ).mark('wizard-next-rights')
            if self.change_of is None:
                ui.button('Précédent', on_click=lambda: self.stepper.set_value('Personne')).props('flat no-caps')

    def show_way(self, way: str) -> None:
        self.choice.way = way
        self.way_box.clear()
        with self.way_box:
            if way == 'copy':
                others = {u.id: u.name for u in self.users if not self.change_of or u.id != self.change_of.id}
                ui.select(
                    others, label='Utilisateur dont copier les droits', on_change=lambda e: self.copy(e.value)
                ).props('outlined dense data-testid=copy-from').mark('copy-from').classes('w-full max-w-md')
                self.copy_box = ui.column().classes('w-full')
            elif way == 'custom':
                self.choice.profile = ''
                rights_grid(self.resources, self.choice.ticks, editable=frozenset(RIGHTS))
            else:
                with ui.row().classes('gap-2'):
                    for profile, label in PROFILE_LABELS.items():
                        ui.button(label, on_click=lambda p=profile: self.preset(p)).props(
                            f'outline no-caps data-testid=profile-{profile}'
                        ).mark(f'profile-{profile}')
                self.preset_box = ui.column().classes('w-full')
                if self.choice.profile:
                    self.preset(self.choice.profile, keep=True)

    async def copy(self, user_id: int) -> None:
        profile, grants = await self.load_copy(user_id)
        self.choice.profile, self.choice.ticks = profile, ticks_from(grants)
        self.copy_box.clear()
        with self.copy_box:
            ui.label(f'Droits à copier ({PROFILE_LABELS[profile]}) :').classes('text-sm font-medium')
            self.grid(profile, frozenset())
            self.copy_checked = (
                ui.checkbox('J’ai vérifié les droits à copier').props('data-testid=copy-checked').mark('copy-checked')
            )

    def preset(self, profile: str, *, keep: bool = False) -> None:
        rights, editable = PRESETS[profile]
        if not keep or profile != self.choice.profile:
            self.choice.ticks = {(r.kind, r.id): set(rights) for r in self.resources}
        self.choice.profile = profile
        self.preset_box.clear()
        with self.preset_box:
            ui.label(PROFILE_LABELS[profile]).classes('text-sm font-medium').props('data-testid=profile-chosen').mark(
                'profile-chosen'
            )
            self.grid(profile, rights if editable else frozenset())

    def grid(self, profile: str, editable: frozenset[str]) -> None:
        if profile == 'dirigeant':
            ui.label('Tous les droits sur tous les comptes et contrats, y compris ceux à venir.').classes('text-sm')
            return
        rights_grid(self.resources, self.choice.ticks, editable=editable)

    def after_rights(self) -> None:
        choice = self.choice
        if choice.way == 'custom':
            choice.profile = narrowest_profile(grants_from(choice.ticks)) if any(choice.ticks.values()) else ''
        if not choice.profile:
            ui.notify('Choisissez les droits à attribuer.', type='warning')
            return
        copy_checked = getattr(self, 'copy_checked', None)
        if choice.way == 'copy' and not (copy_checked and copy_checked.value):
            ui.notify('Vérifiez les droits à copier.', type='warning')
            return
        self.render_check.refresh()
        self.stepper.value = 'Vérification'

    def check_step(self) -> None:
        self.render_check()
        with ui.stepper_navigation():
            self.confirm_button = (
                ui.button('Confirmer', on_click=self.confirm)
                .props('no-caps unelevated data-testid=wizard-confirm')
                .mark('wizard-confirm')
            )
            ui.button('Précédent', on_click=lambda: self.stepper.set_value('Droits')).props('flat no-caps')
        self.done = (
            ui.label()
            .classes('text-green-800 font-medium')
            .props('role=status data-testid=user-added')
            .mark('user-added')
        )

    @ui.refreshable_method
    def render_check(self) -> None:
        choice = self.choice
        if not choice.profile:
            return
        person = next((p for p in self.persons if p.id == choice.person_id), None)
        who = f'{person.first_name} {person.last_name}' if person else self.change_of.name
        ui.label(f'{who} — {choice.email}').classes('font-medium').props('data-testid=check-person')
        ui.label(PROFILE_LABELS[choice.profile]).classes('text-sm').props('data-testid=check-profile')
        self.grid(choice.profile, frozenset())

    async def confirm(self) -> None:
        choice = self.choice
        grants = [] if choice.profile == 'dirigeant' else grants_from(choice.ticks)

        async def verify(code: str) -> None:
            await self.save(choice.person_id, choice.email, choice.profile, grants, code)

        if self.saved:
            return
        if self.precheck is not None:
            try:  # a refusal that needs no code (e-mail taken, person already a user) is said before asking one
                await self.precheck(choice.person_id, choice.email, choice.profile, grants)
            except DomainError as problem:
                ui.notify(str(problem), type='negative', multi_line=True)
                return
        if await ask_strong_auth(verify, reason='Confirmez avec votre code d’authentification forte.'):
            self.saved = True
            self.confirm_button.disable()
            self.done.text = DONE if self.change_of is None else 'Les droits sont modifiés.'
