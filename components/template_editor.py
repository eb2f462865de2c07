"""Lines of an allocation template: an account, its share of the entry in %, its VAT rate (rules, selections)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from nicegui import ui

from components.account_picker import AccountField
from services.allocation_template import HUNDRED, TemplateLine
from services.formatting import parse_amount
from services.ledger import VAT_RATES_BP, rate_label


@dataclass
class TemplateDraft:
    account: str | None = None
    share: str = '100'
    vat: int = 0


def drafts_of(template: list[TemplateLine]) -> list[TemplateDraft]:
    return [
        TemplateDraft(t.account_number, f'{t.share.normalize():f}'.replace('.', ','), t.vat_rate_bp) for t in template
    ]


def template_of(drafts: list[TemplateDraft]) -> list[TemplateLine] | str:
    """The template, or what is wrong in French."""
    out = []
    for index, draft in enumerate(drafts, start=1):
        share = parse_amount(draft.share)
        if not draft.account:
            return f'Ligne {index} : choisissez un compte.'
        if share is None or share <= 0:
            return f'Ligne {index} : part illisible (ex. 60 ou 33,33).'
        out.append(TemplateLine(draft.account, share, draft.vat))
    return out


class TemplateEditor:
    def __init__(self, drafts: list[TemplateDraft], *, account_field: AccountField, testid: str) -> None:
        self.drafts, self.account_field, self.testid = drafts or [TemplateDraft()], account_field, testid
        self.lines()

    @ui.refreshable_method
    def lines(self) -> None:
        for index, draft in enumerate(self.drafts):
            with ui.row().classes('w-full items-start gap-2 flex-wrap sm:flex-nowrap'):
                picker = self.account_field(draft.account, f'{self.testid}-account-{index}').classes('w-full sm:w-72')
                picker.on_value_change(lambda e, d=draft: setattr(d, 'account', e.value))
                share = ui.input('Part (%)', value=draft.share).props(
                    f'outlined dense inputmode=decimal data-testid={self.testid}-share-{index}'
                )
                share.classes('w-28').on_value_change(lambda e, d=draft: setattr(d, 'share', e.value or ''))
                vat = ui.select({r: rate_label(r) for r in VAT_RATES_BP}, value=draft.vat, label='TVA')
                vat.props(f'outlined dense data-testid={self.testid}-vat-{index}').classes('w-24')
                vat.on_value_change(lambda e, d=draft: setattr(d, 'vat', int(e.value or 0)))
                if len(self.drafts) > 1:
                    ui.button(icon='delete', on_click=lambda i=index: self._remove(i)).props(
                        f'flat round dense aria-label="Retirer la ligne" data-testid={self.testid}-remove-{index}'
                    )
        ui.button('Ajouter une ligne', icon='add', on_click=self._add).props(
            f'no-caps flat dense data-testid={self.testid}-add'
        )

    def _add(self) -> None:
        given = sum((parse_amount(d.share) or Decimal(0) for d in self.drafts), Decimal(0))
        rest = HUNDRED - given
        self.drafts.append(TemplateDraft(share=f'{rest.normalize():f}'.replace('.', ',') if rest > 0 else ''))
        self.lines.refresh()

    def _remove(self, index: int) -> None:
        del self.drafts[index]
        self.lines.refresh()

    def template(self) -> list[TemplateLine] | str:
        return template_of(self.drafts)
