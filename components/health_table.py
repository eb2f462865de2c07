"""The list of « Santé des connexions »: one page of rows from the server, each problem with its one fix."""

from __future__ import annotations

from collections.abc import Callable

from components.server_table import Fetch, ServerTable

COLUMNS = [
    {'name': 'client_name', 'label': 'Dossier · banque', 'field': 'client_name', 'align': 'left'},
    {'name': 'status', 'label': 'Statut', 'field': 'status_label', 'align': 'left'},
    {'name': 'renewal', 'label': 'Renouvellement', 'field': 'renewal', 'align': 'left'},
    {'name': 'sync', 'label': 'Synchronisation', 'field': 'last_sync', 'align': 'left'},
    {'name': 'action', 'label': 'Action', 'field': 'action', 'align': 'left'},
]

# Vue's {{ }} escapes text: bank and file names never become HTML.
_STATUS = """
<div :data-testid="'health-status-' + props.row.id" :data-status="props.row.status">
  <div v-if="props.row.progress" class="row items-center no-wrap q-gutter-x-xs text-blue-9">
    <q-spinner size="1em"/><span>{{ props.row.progress }}</span>
  </div>
  <template v-else-if="props.row.problem">
    <div class="row items-center no-wrap q-gutter-x-xs text-orange-10">
      <q-icon name="pause_circle" size="1.2em"/><span class="text-weight-medium">Problème de synchronisation</span>
    </div>
    <div class="text-caption">{{ props.row.status_label }}</div>
    <div class="text-caption text-grey-8" style="max-width: 20rem; white-space: normal">{{ props.row.sentence }}</div>
  </template>
  <div v-else class="row items-center no-wrap q-gutter-x-xs text-green-9">
    <q-icon :name="props.row.status === 'ok' ? 'check_circle' : 'sync'" size="1.2em"/>
    <span>{{ props.row.status_label }}</span>
  </div>
</div>"""

_ACTIONS = """
<div class="column q-gutter-xs items-start">
  <template v-if="props.row.action === 'send_link'">
    <q-btn dense unelevated no-caps color="primary" icon="send" label="Envoyer le lien au client"
           :data-testid="'health-send-' + props.row.id"
           @click.stop="() => $parent.$emit('act', [props.row.id, 'send'])"/>
    <q-btn dense flat no-caps icon="content_copy" label="Copier le lien"
           :data-testid="'health-copy-' + props.row.id"
           @click.stop="() => $parent.$emit('act', [props.row.id, 'copy'])"/>
  </template>
  <q-btn v-else-if="props.row.action === 'retry'" dense outline no-caps icon="refresh" label="Réessayer"
         :data-testid="'health-retry-' + props.row.id"
         @click.stop="() => $parent.$emit('act', [props.row.id, 'retry'])"/>
</div>"""

_BODY = f"""
<q-tr :props="props" :data-testid="'health-row-' + props.row.id">
  <q-td key="client_name" :props="props">
    <a :href="'/dossiers/' + props.row.client_id + '/comptes-bancaires'" class="text-primary text-weight-medium"
       :data-testid="'health-client-' + props.row.id">{{{{ props.row.client_name }}}}</a>
    <div class="text-grey-8" :data-testid="'health-bank-' + props.row.id">{{{{ props.row.bank_name }}}}</div>
  </q-td>
  <q-td key="status" :props="props">{_STATUS}</q-td>
  <q-td key="renewal" :props="props" :data-testid="'health-renewal-' + props.row.id">{{{{ props.row.renewal }}}}</q-td>
  <q-td key="sync" :props="props" class="text-caption">
    <div :data-testid="'health-last-' + props.row.id">Dernière : {{{{ props.row.last_sync }}}}
      <span v-if="props.row.new_transactions" class="text-green-9">(+{{{{ props.row.new_transactions }}}})</span></div>
    <div :data-testid="'health-next-' + props.row.id">Prochaine : {{{{ props.row.next_sync }}}}</div>
  </q-td>
  <q-td key="action" :props="props">{_ACTIONS}</q-td>
</q-tr>"""

_ITEM = f"""
<div class="q-pa-xs col-12">
  <q-card flat bordered :data-testid="'health-row-' + props.row.id">
    <q-card-section class="q-py-sm q-gutter-y-xs">
      <div class="text-subtitle2">
        <a :href="'/dossiers/' + props.row.client_id + '/comptes-bancaires'" class="text-primary"
           :data-testid="'health-client-' + props.row.id">{{{{ props.row.client_name }}}}</a>
        · <span :data-testid="'health-bank-' + props.row.id">{{{{ props.row.bank_name }}}}</span></div>
      {_STATUS}
      <div class="text-caption text-grey-8">Renouvellement : {{{{ props.row.renewal }}}}</div>
      <div class="text-caption text-grey-8" :data-testid="'health-last-' + props.row.id">
        Dernière synchronisation : {{{{ props.row.last_sync }}}}
        <span v-if="props.row.new_transactions" class="text-green-9">
          (+{{{{ props.row.new_transactions }}}})</span></div>
      <div class="text-caption text-grey-8" :data-testid="'health-next-' + props.row.id">
        Prochaine : {{{{ props.row.next_sync }}}}</div>
      {_ACTIONS}
    </q-card-section>
  </q-card>
</div>"""


class HealthTable(ServerTable):
    def __init__(self, *, fetch: Fetch, on_action: Callable[[int, str], None]) -> None:
        super().__init__(
            columns=COLUMNS, fetch=fetch, testid='health-table', row_testid='health-row', empty='Aucune connexion.'
        )
        self.props(':grid="Quasar.Screen.lt.md"')
        self.on('act', lambda event: on_action(int(event.args[0]), str(event.args[1])))

    def _add_row_slot(self, row_testid: str) -> None:
        self.add_slot('body', _BODY)
        self.add_slot('item', _ITEM)
