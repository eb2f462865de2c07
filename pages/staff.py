"""« Équipe du cabinet », the Administrateur's part of « Gestion des utilisateurs »: members, roles, access."""

from __future__ import annotations

from nicegui import run, ui

from components.confirm import confirm
from components.strong_auth import ask_strong_auth
from services import staff
from services.errors import DomainError, InvalidInput
from services.formatting import parse_day
from services.permissions import FIRM_ROLES, ROLE_LABELS, Actor
from services.persons import PersonInput, checked_person

ROLES = {role: ROLE_LABELS[role] for role in FIRM_ROLES}


class StaffSection:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    @ui.refreshable_method
    def render(self) -> None:
        with ui.row().classes('w-full items-center justify-between'):
            ui.label('Équipe du cabinet').classes('text-lg font-semibold')
            ui.button('Ajouter un membre', icon='person_add', on_click=self.add).props(
                'no-caps outline data-testid=staff-add'
            )
        for member in staff.list_staff(self.actor):
            with (
                ui.row().classes('w-full items-center gap-3 border-b py-1').props(f'data-testid=staff-row-{member.id}')
            ):
                ui.label(member.name).classes('font-medium min-w-[10rem]')
                ui.label(member.email).classes('text-sm text-slate-600 grow break-all')
                if member.id == self.actor.user_id:
                    ui.badge(member.role_label).props('outline')
                    continue
                ui.select(ROLES, value=member.role, on_change=lambda e, m=member: self.set_role(m, e.value)).props(
                    f'dense outlined data-testid=staff-role-{member.id}'
                )
                if member.disabled:
                    ui.badge('Désactivé', color='red')
                ui.button(
                    'Réactiver' if member.disabled else 'Désactiver', on_click=lambda m=member: self.toggle(m)
                ).props(f'flat dense no-caps color=negative data-testid=staff-toggle-{member.id}')

    async def set_role(self, member: staff.StaffMember, role: str) -> None:
        if role == member.role:
            return

        async def verify(code: str) -> None:
            await run.io_bound(lambda: staff.set_role(self.actor, user_id=member.id, role=role, code=code))

        reason = f'{member.name} devient {ROLE_LABELS[role]} : confirmez avec votre code.'
        done = await ask_strong_auth(verify, reason=reason)
        if done:
            ui.notify('Rôle modifié.', type='positive')
        self.render.refresh()

    async def toggle(self, member: staff.StaffMember) -> None:
        disable = not member.disabled
        if not await confirm(
            'Désactiver le membre' if disable else 'Réactiver le membre', member.name, testid='staff-toggle-confirm'
        ):
            return
        try:
            await run.io_bound(lambda: staff.set_disabled(self.actor, user_id=member.id, disabled=disable))
        except DomainError as problem:
            ui.notify(str(problem), type='negative')
            return
        self.render.refresh()

    def add(self) -> None:
        with ui.dialog() as dialog, ui.card().classes('w-[min(32rem,94vw)] gap-2').props('data-testid=staff-form'):
            ui.label('Ajouter un membre du cabinet').classes('text-lg font-semibold')
            fields = {
                name: ui.input(label).props(f'outlined dense data-testid=staff-{name}').classes('w-full')
                for name, label in (
                    ('last_name', 'Nom'),
                    ('first_name', 'Prénom'),
                    ('birth_date', 'Date de naissance (JJ/MM/AAAA)'),
                    ('phone', 'Téléphone'),
                    ('email', 'Adresse e-mail'),
                )
            }
            role = ui.select(ROLES, value='collaborateur', label='Rôle').props('outlined dense data-testid=staff-role')

            async def submit() -> None:
                person = PersonInput(
                    fields['last_name'].value or '',
                    fields['first_name'].value or '',
                    parse_day(fields['birth_date'].value),
                    fields['phone'].value or '',
                    fields['email'].value or '',
                )

                async def verify(code: str) -> None:
                    await run.io_bound(lambda: staff.add_member(self.actor, person=person, role=role.value, code=code))

                for field in fields.values():
                    field.error = None
                try:  # the fields first: a code is asked only for a form that can be saved
                    checked_person(person, email_required=True)
                except InvalidInput as problem:
                    for name, message in problem.errors.items():
                        fields[name].error = message
                    return
                done = await ask_strong_auth(verify, reason='Ajouter un membre demande votre code.')
                if done:
                    ui.notify(
                        'Membre ajouté : identifiant par e-mail, mot de passe temporaire par SMS.', type='positive'
                    )
                    dialog.close()
                    self.render.refresh()

            with ui.row().classes('w-full justify-end'):
                ui.button('Annuler', on_click=dialog.close).props('flat no-caps')
                ui.button('Confirmer', on_click=submit).props('no-caps unelevated data-testid=staff-submit')
        dialog.open()
