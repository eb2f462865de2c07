"""« Gestion des utilisateurs »: for a firm's Administrateur (the staff, and the users of any client file) and for a
client file's dirigeant (their company's users)."""

from __future__ import annotations

from nicegui import run, ui

from components.confirm import confirm
from components.user_wizard import UserWizard
from pages.layout import page_frame
from pages.session import guard
from pages.staff import StaffSection
from services import clients, persons, user_admin
from services.errors import DomainError
from services.permissions import Actor


class FileUsers:
    """The users of one client file, its registered persons, and « Ajouter un utilisateur »."""

    def __init__(self, actor: Actor, client_id: int) -> None:
        self.actor, self.client_id = actor, client_id

    @ui.refreshable_method
    def render(self) -> None:
        users = user_admin.list_users(self.actor, self.client_id)
        with ui.row().classes('w-full items-center justify-between'):
            ui.label('Utilisateurs du dossier').classes('text-lg font-semibold')
            ui.button('Ajouter un utilisateur', icon='person_add', on_click=self.add).props(
                'no-caps unelevated data-testid=user-add'
            )
        with ui.column().classes('w-full gap-1').props('data-testid=file-users'):
            for user in users:
                self.row(user)

    def row(self, user: user_admin.ClientUser) -> None:
        with ui.row().classes('w-full items-center gap-3 border-b py-1').props(f'data-testid=user-row-{user.id}'):
            ui.label(user.name).classes('font-medium min-w-[10rem]')
            ui.label(user.email).classes('text-sm text-slate-600 grow break-all')
            ui.badge(user.profile_label).props('outline')
            if user.disabled:
                ui.badge('Désactivé', color='red').props(f'data-testid=user-disabled-{user.id}')
            if user.id == self.actor.user_id:
                return
            ui.button('Modifier les droits', on_click=lambda u=user: self.change(u)).props(
                f'flat dense no-caps data-testid=user-rights-{user.id}'
            )
            label = 'Réactiver' if user.disabled else 'Désactiver'
            ui.button(label, on_click=lambda u=user: self.toggle(u)).props(
                f'flat dense no-caps color=negative data-testid=user-toggle-{user.id}'
            )

    async def _load_copy(self, user_id: int):
        return await run.io_bound(user_admin.rights_to_copy, self.actor, self.client_id, user_id)

    def _wizard_dialog(self, title: str, change_of=None) -> None:
        data = (
            persons.list_persons(self.actor, self.client_id),
            user_admin.list_users(self.actor, self.client_id),
            user_admin.file_resources(self.actor, self.client_id),
        )

        client_id = self.client_id

        async def save(person_id, email, profile, grants, code) -> None:
            rights = {'profile': profile, 'grants': grants, 'code': code}
            if change_of is None:
                await run.io_bound(
                    user_admin.add_user, self.actor, client_id=client_id, person_id=person_id, email=email, **rights
                )
            else:
                await run.io_bound(
                    user_admin.change_rights, self.actor, client_id=client_id, user_id=change_of.id, **rights
                )

        async def precheck(person_id, email, profile, grants) -> None:
            """What adding would refuse without a code, said before one is asked."""
            await run.io_bound(
                user_admin.check_new_user,
                self.actor,
                client_id=client_id,
                person_id=person_id,
                email=email,
                profile=profile,
                grants=grants,
            )

        # the list redraws when the dialog closes: redrawing it while the dialog is open would delete the dialog
        with (
            ui.dialog().props('maximized-on-mobile').on('hide', self.render.refresh) as dialog,
            ui.card().classes('w-[min(48rem,96vw)]'),
        ):
            with ui.row().classes('w-full items-center justify-between'):
                ui.label(title).classes('text-lg font-semibold')
                ui.button(icon='close', on_click=dialog.close).props('flat round dense data-testid=wizard-close')
            UserWizard(
                persons=data[0],
                users=data[1],
                resources=data[2],
                load_copy=self._load_copy,
                save=save,
                precheck=precheck if change_of is None else None,
                change_of=change_of,
            )
        dialog.open()

    def add(self) -> None:
        self._wizard_dialog('Ajouter un utilisateur')

    def change(self, user: user_admin.ClientUser) -> None:
        self._wizard_dialog(f'Modifier les droits de {user.name}', change_of=user)

    async def toggle(self, user: user_admin.ClientUser) -> None:
        disable = not user.disabled
        text = f'{user.name} sera déconnecté(e) tout de suite.' if disable else f'{user.name} pourra se reconnecter.'
        if not await confirm(
            'Désactiver l’utilisateur' if disable else 'Réactiver l’utilisateur', text, testid='user-toggle-confirm'
        ):
            return
        try:
            await run.io_bound(
                lambda: user_admin.set_disabled(self.actor, client_id=self.client_id, user_id=user.id, disabled=disable)
            )
        except DomainError as problem:
            ui.notify(str(problem), type='negative')
            return
        ui.notify('Utilisateur désactivé.' if disable else 'Utilisateur réactivé.', type='positive')
        self.render.refresh()


def users_page(dossier: int | None = None):
    actor = guard('users.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Gestion des utilisateurs'):
        if actor.is_firm_staff:
            StaffSection(actor).render()
            files = {c.id: c.legal_name for c in clients.list_clients(actor, per_page=clients.MAX_PER_PAGE).rows}
            ui.select(
                files,
                value=dossier,
                label='Dossier client',
                with_input=True,
                on_change=lambda e: ui.navigate.to(f'/utilisateurs?dossier={e.value}'),
            ).props('outlined dense data-testid=users-file').classes('w-full max-w-md mt-4')
            if dossier is None:
                return None
        try:
            FileUsers(actor, dossier if actor.is_firm_staff else actor.client_id).render()
        except DomainError as problem:
            ui.label(str(problem)).classes('text-red-700')
    return None
