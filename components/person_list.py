"""« Personnes enregistrées » of a client file: the list (a table on a desktop, cards on a phone) and its dialog.

Takes data and callbacks only: ``load()`` lists the persons, ``register(data)``, ``update(person_id, data)`` and
``remove(person_id)`` make the change (blocking service calls, run off the event loop; they raise DomainError)."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import run, ui

from components.confirm import confirm
from services.errors import DomainError, InvalidInput
from services.formatting import day, parse_day
from services.persons import IDENTITY, PersonInput
from services.user_models import RegisteredPerson

FIELDS = (
    ('last_name', 'Nom'),
    ('first_name', 'Prénom'),
    ('birth_date', 'Date de naissance (JJ/MM/AAAA)'),
    ('phone', 'Téléphone'),
    ('email', 'E-mail (facultatif)'),
)
TESTIDS = {
    'last_name': 'last-name',
    'first_name': 'first-name',
    'birth_date': 'birth-date',
    'phone': 'phone',
    'email': 'email',
}
INPUT_PROPS = {'birth_date': 'placeholder=JJ/MM/AAAA', 'phone': 'type=tel', 'email': 'type=email'}
BAD_DATE = 'Cette date n’existe pas ou n’est pas au format JJ/MM/AAAA (par exemple 03/09/1985).'
EXPLANATION = (
    'Les personnes enregistrées ici peuvent ensuite devenir utilisatrices du dossier (gestion des utilisateurs).'
)
# Six columns from the small breakpoint on; below it every row is a card of two columns. (Quasar's `.hidden` is
# !important, so the header row hides with Tailwind's `max-sm:hidden`, which `sm:grid` cannot override.)
GRID = 'grid grid-cols-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_8rem_8rem_minmax(0,2fr)_4.5rem] gap-x-4 gap-y-1'
HEADERS = ('Nom', 'Prénom', 'Date de naissance', 'Téléphone', 'E-mail', '')


def shown_phone(phone: str) -> str:
    """`06 12 34 56 78` for a French number, as typed otherwise."""
    if len(phone) == 10 and phone.isdigit():
        return ' '.join(phone[i : i + 2] for i in range(0, 10, 2))
    return phone


def _value(person: RegisteredPerson, name: str) -> str:
    value = getattr(person, name)
    return day(value) if name == 'birth_date' else (value or '')


def _cell(caption: str, text: str, testid: str, *, wide: bool = False) -> None:
    """A value with its caption above it on a phone (where there is no header row)."""
    with ui.column().classes('gap-0 min-w-0' + (' col-span-2 sm:col-span-1' if wide else '')):
        ui.label(caption).classes('sm:hidden text-xs text-slate-500')
        ui.label(text).classes('break-words').props(f'data-testid={testid}')


def person_rows(persons: list, *, on_edit: Callable, on_remove: Callable) -> None:
    if not persons:
        ui.label('Aucune personne enregistrée pour ce dossier.').classes('text-sm text-slate-500').props(
            'data-testid=persons-empty'
        ).mark('persons-empty')
        return
    with ui.element('div').classes('w-full text-sm border border-slate-200 rounded divide-y divide-slate-200'):
        with ui.element('div').classes(f'{GRID} max-sm:hidden bg-slate-50 px-3 py-2 font-medium text-slate-600'):
            for header in HEADERS:
                ui.label(header)
        for person in persons:
            _person_row(person, on_edit=on_edit, on_remove=on_remove)


def _person_row(person: RegisteredPerson, *, on_edit: Callable, on_remove: Callable) -> None:
    key = person.id
    with ui.element('div').classes(f'{GRID} items-center px-3 py-2').props(f'data-testid=person-row-{key}'):
        with ui.row().classes('items-center gap-2 min-w-0'):
            ui.label(person.last_name).classes('font-medium break-words').props(f'data-testid=person-last-name-{key}')
            if person.user_id is not None:
                ui.badge('Utilisateur', color='green-7').props(f'data-testid=person-user-{key}')
        ui.label(person.first_name).classes('font-medium sm:font-normal break-words').props(
            f'data-testid=person-first-name-{key}'
        )
        _cell('Date de naissance', day(person.birth_date), f'person-birth-date-{key}')
        _cell('Téléphone', shown_phone(person.phone), f'person-phone-{key}')
        _cell('E-mail', person.email or '—', f'person-email-{key}', wide=True)
        with ui.row().classes('col-span-2 sm:col-span-1 justify-end sm:justify-start gap-1 no-wrap'):
            ui.button(icon='edit', on_click=lambda p=person: on_edit(p)).props(
                f'flat round dense aria-label=Modifier data-testid=person-edit-{key}'
            ).mark(f'person-edit-{key}').tooltip('Modifier')
            if person.user_id is None:  # a user is disabled from « Gestion des utilisateurs », not removed here
                ui.button(icon='delete', on_click=lambda p=person: on_remove(p)).props(
                    f'flat round dense color=negative aria-label=Supprimer data-testid=person-remove-{key}'
                ).mark(f'person-remove-{key}').tooltip('Supprimer')


def _fields(initial: RegisteredPerson | None) -> dict[str, ui.input]:
    fields: dict[str, ui.input] = {}
    frozen = initial is not None and initial.user_id is not None
    for name, label in FIELDS:
        testid = f'person-form-{TESTIDS[name]}'
        field = ui.input(label, value=_value(initial, name) if initial else '')
        field.props(f'outlined dense autocomplete=off {INPUT_PROPS.get(name, "")} data-testid={testid}')
        field.classes('w-full').mark(testid)
        if frozen and name in IDENTITY:
            field.props('readonly')
        fields[name] = field
    if frozen:
        ui.label(
            'Cette personne est déjà utilisatrice : seuls le téléphone et l’e-mail de sa fiche se corrigent ici '
            '(son identifiant de connexion ne change pas).'
        ).classes('text-xs text-slate-600')
    return fields


def _read(fields: dict[str, ui.input]) -> tuple[PersonInput, dict[str, str]]:
    """What was typed, and the date's own error: a date that cannot be read is not « missing »."""
    text = {name: (field.value or '').strip() for name, field in fields.items()}
    born = parse_day(text['birth_date'])
    errors = {'birth_date': BAD_DATE} if text['birth_date'] and born is None else {}
    data = PersonInput(text['last_name'], text['first_name'], born, text['phone'], text['email'])
    return data, errors


def person_dialog(
    initial: RegisteredPerson | None, *, on_save: Callable[[PersonInput], object], on_done: Callable[[], None]
) -> None:
    """« Enregistrer une personne » (or « Modifier », with ``initial``): errors go under their field, what was typed
    stays, and the button is disabled while saving so a double click registers the person once."""
    with ui.dialog() as dialog, ui.card().classes('w-[min(32rem,94vw)] gap-2').props('data-testid=person-form'):
        ui.label('Modifier la personne' if initial else 'Enregistrer une personne').classes('text-lg font-semibold')
        fields = _fields(initial)
        error = ui.label().classes('text-sm text-red-700').props('role=alert data-testid=person-form-error')

        async def save() -> None:
            if not button.enabled:
                return
            for field in fields.values():
                field.error = None
            error.text = ''
            data, own = _read(fields)
            button.disable()
            try:
                await run.io_bound(on_save, data)
            except InvalidInput as problem:
                for name, message in (problem.errors | own).items():
                    if name in fields:
                        fields[name].error = message
                error.text = 'Vérifiez les champs signalés.'
                return
            except DomainError as problem:
                error.text = str(problem)
                return
            finally:
                button.enable()
            dialog.close()
            on_done()

        with ui.row().classes('w-full justify-end'):
            ui.button('Annuler', on_click=dialog.close).props('flat no-caps data-testid=person-form-cancel')
            button = ui.button('Enregistrer', on_click=save).props('no-caps unelevated data-testid=person-form-save')
            button.mark('person-form-save')
    dialog.on('hide', dialog.delete)
    dialog.open()


class PersonsSection:
    def __init__(self, *, load: Callable, register: Callable, update: Callable, remove: Callable) -> None:
        self.load, self.register, self.update, self.remove = load, register, update, remove
        with ui.column().classes('w-full gap-2 mt-4').props('data-testid=persons-section'):
            with ui.row().classes('w-full items-center justify-between gap-2'):
                ui.label('Personnes enregistrées').classes('text-lg font-semibold')
                ui.button('Enregistrer une personne', icon='person_add', on_click=self.add).props(
                    'no-caps outline data-testid=person-add'
                ).mark('person-add')
            ui.label(EXPLANATION).classes('text-sm text-slate-600')
            self.render()

    @ui.refreshable_method
    def render(self) -> None:
        person_rows(self.load(), on_edit=self.edit, on_remove=self.ask_remove)

    def add(self) -> None:
        person_dialog(None, on_save=self.register, on_done=lambda: self.saved('Personne enregistrée.'))

    def edit(self, person: RegisteredPerson) -> None:
        person_dialog(
            person, on_save=lambda data: self.update(person.id, data), on_done=lambda: self.saved('Personne modifiée.')
        )

    def saved(self, message: str) -> None:
        ui.notify(message, type='positive')
        self.render.refresh()

    async def ask_remove(self, person: RegisteredPerson) -> None:
        name = f'{person.first_name} {person.last_name}'
        text = f'{name} ne figurera plus parmi les personnes enregistrées du dossier.'
        if not await confirm('Supprimer la personne', text, confirm_label='SUPPRIMER', testid='person-remove-confirm'):
            return
        try:
            await run.io_bound(self.remove, person.id)
        except DomainError as problem:
            ui.notify(str(problem), type='negative')
            return
        self.saved(f'Personne supprimée : {name}.')
