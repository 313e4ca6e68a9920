// The entity pages: a list (search by name, filter by tag, delete) and a form (create, edit) for each kind the
// admin API stores, forms generated from /schemas/{entity}. Consumers show their credentials, upstreams their targets.
import { h, page, notice, clear, uid, formatTime } from './dom.js';
import { get, post, patch, del, listAll, encode } from './api.js';
import { SchemaForm, entitySchema, showErrors } from './form.js';
import { consumerCredentials } from './credentials.js';
import { upstreamTargets } from './targets.js';

const joined = (values) => (Array.isArray(values) ? values.join(', ') : '');

/** What each kind is called, where it lives, and what its list shows. */
export const KINDS = {
  services: {
    title: 'Services', one: 'service', schema: 'services',
    label: (e) => e.name ?? e.id,
    columns: [['Host', (e) => e.host], ['Port', (e) => e.port], ['Protocol', (e) => e.protocol], ['Path', (e) => e.path ?? '']],
  },
  routes: {
    title: 'Routes', one: 'route', schema: 'routes',
    label: (e) => e.name ?? e.id,
    references: ['services'],
    columns: [
      ['Paths', (e) => joined(e.paths)], ['Hosts', (e) => joined(e.hosts)], ['Methods', (e) => joined(e.methods)],
      ['Service', (e, names) => (e.service ? names.services.get(e.service.id) ?? e.service.id : '')],
    ],
  },
  consumers: {
    title: 'Consumers', one: 'consumer', schema: 'consumers',
    label: (e) => e.username ?? e.custom_id ?? e.id,
    columns: [['Custom id', (e) => e.custom_id ?? '']],
    detail: consumerCredentials,
  },
  upstreams: {
    title: 'Upstreams', one: 'upstream', schema: 'upstreams',
    label: (e) => e.name ?? e.id,
    columns: [['Algorithm', (e) => e.algorithm], ['Slots', (e) => e.slots]],
    detail: upstreamTargets,
  },
  certificates: {
    title: 'Certificates', one: 'certificate', schema: 'certificates',
    label: (e) => e.id,
    columns: [['SNIs', (e) => joined(e.snis)], ['Updated', (e) => formatTime(e.updated_at)]],
    search: (e) => joined(e.snis),
  },
  ca_certificates: {
    title: 'CA certificates', one: 'CA certificate', schema: 'ca_certificates',
    label: (e) => e.id,
    columns: [['Digest (SHA-256)', (e) => e.cert_digest ?? ''], ['Updated', (e) => formatTime(e.updated_at)]],
  },
};

let flash = null;
/** A notice for the next page shown (after a save, say). */
export function setFlash(message) {
  flash = message;
}
export function takeFlash() {
  const message = flash;
  flash = null;
  return message ? notice(message, 'success') : null;
}

/** Names of referenced entities by id, for list columns. */
async function referenceNames(kind) {
  const names = { services: new Map() };
  for (const reference of kind.references ?? []) {
    const items = await listAll(`/${reference}`, 5000).catch(() => []);
    names[reference] = new Map(items.map((i) => [i.id, i.name ?? i.username ?? i.id]));
  }
  return names;
}

/** A delete button that asks once more, in place (no modal dialog), then deletes and calls `done`. */
export function deleteButton(what, path, done, onError) {
  const cell = h('span', { class: 'actions' });
  const ask = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${what}` }, 'Delete');
  ask.addEventListener('click', () => {
    const confirm = h('button', { type: 'button', class: 'danger', 'aria-label': `Confirm delete of ${what}` }, 'Confirm delete');
    const cancel = h('button', { type: 'button' }, 'Cancel');
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        await del(path);
        done();
      } catch (error) {
        onError(error);
        cell.replaceChildren(ask);
      }
    });
    cancel.addEventListener('click', () => { cell.replaceChildren(ask); ask.focus(); });
    cell.replaceChildren(confirm, cancel);
    confirm.focus();
  });
  cell.append(ask);
  return cell;
}

/** The list of a kind: search by name (in the page), filter by tags (by the API), open, delete. */
export async function listPage(view, kindName, query) {
  const kind = KINDS[kindName];
  const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
  const searchId = uid('search');
  const tagId = uid('tag');
  const search = h('input', { type: 'search', id: searchId, value: query.get('q') ?? '', autocomplete: 'off' });
  const tag = h('input', { type: 'text', id: tagId, value: query.get('tags') ?? '', autocomplete: 'off', placeholder: 'a,b (all) or a/b (any)' });
  const body = h('tbody');
  const table = h('table', { class: 'entities' },
    h('caption', { class: 'visually-hidden' }, kind.title),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, kind.one === 'consumer' ? 'Username' : kind.one.endsWith('certificate') ? 'Id' : 'Name'),
      kind.columns.map(([title]) => h('th', { scope: 'col' }, title)), h('th', { scope: 'col' }, 'Tags'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    body);
  page(view, kind.title,
    takeFlash(),
    h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } },
      h('div', { class: 'field' }, h('label', { for: searchId }, 'Search by name'), search),
      h('div', { class: 'field' }, h('label', { for: tagId }, 'Filter by tag'), tag),
      h('button', { type: 'submit' }, 'Apply'),
      h('a', { class: 'button primary', href: `#/${kindName}/new` }, `New ${kind.one}`)),
    status,
    h('div', { class: 'table-wrap' }, table));

  let items = [];
  let names = { services: new Map() };
  const render = () => {
    const term = search.value.trim().toLowerCase();
    const shown = items.filter((e) => !term || String(kind.label(e)).toLowerCase().includes(term)
      || (e.id ?? '').startsWith(term) || (kind.search?.(e) ?? '').toLowerCase().includes(term));
    clear(body);
    for (const entity of shown) {
      const label = String(kind.label(entity));
      body.append(h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `#/${kindName}/${encode(entity.id)}` }, label)),
        kind.columns.map(([, value]) => h('td', {}, value(entity, names) ?? '')),
        h('td', {}, (entity.tags ?? []).map((t) => h('span', { class: 'tag' }, t))),
        h('td', {}, deleteButton(label, `/${kindName}/${encode(entity.id)}`, load, (error) => status.replaceChildren(notice(error.message))))));
    }
    if (!shown.length) body.append(h('tr', {}, h('td', { colspan: kind.columns.length + 3 }, items.length ? 'Nothing matches.' : `No ${kind.title.toLowerCase()} yet.`)));
  };
  async function load() {
    status.replaceChildren(notice('Loading…', 'info'));
    try {
      const tags = tag.value.trim();
      [items, names] = await Promise.all([listAll(`/${kindName}${tags ? `?tags=${encode(tags)}` : ''}`), referenceNames(kind)]);
      status.replaceChildren(notice(`${items.length} ${items.length === 1 ? kind.one : kind.title.toLowerCase()}`, 'info'));
      render();
    } catch (error) {
      items = [];
      render();
      status.replaceChildren(notice(error.message));
    }
  }
  search.addEventListener('input', render);
  await load();
}

/** Creates (id 'new') or edits one entity with the form its schema gives; consumers and upstreams show more below. */
export async function entityPage(view, kindName, id) {
  const kind = KINDS[kindName];
  const creating = id === 'new';
  const summary = h('div', { class: 'form-errors', tabindex: '-1' });
  let entity = {};
  let schema;
  try {
    [schema, entity] = await Promise.all([entitySchema(kind.schema), creating ? {} : get(`/${kindName}/${encode(id)}`)]);
  } catch (error) {
    page(view, creating ? `New ${kind.one}` : kind.title, notice(error.message), h('a', { href: `#/${kindName}` }, `Back to ${kind.title.toLowerCase()}`));
    return;
  }
  const form = new SchemaForm(schema, { values: entity });
  await form.ready();
  const save = h('button', { type: 'submit', class: 'primary' }, creating ? `Create ${kind.one}` : 'Save');
  const element = h('form', { class: 'entity-form', novalidate: true }, summary, form.element,
    h('div', { class: 'form-actions' }, save, h('a', { class: 'button', href: `#/${kindName}` }, 'Cancel')));
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      const saved = creating
        ? await post(`/${kindName}`, form.values())
        : await patch(`/${kindName}/${encode(entity.id)}`, form.values({ editing: true }));
      setFlash(`Saved ${kind.one} ${kind.label(saved)}.`);
      location.hash = kind.detail && creating ? `#/${kindName}/${encode(saved.id)}` : `#/${kindName}`;
    } catch (error) {
      showErrors([form], error, summary);
    } finally {
      save.disabled = false;
    }
  });
  page(view, creating ? `New ${kind.one}` : `${kind.title.replace(/s$/, '')} ${kind.label(entity)}`,
    takeFlash(),
    h('p', {}, h('a', { href: `#/${kindName}` }, `← All ${kind.title.toLowerCase()}`)),
    element);
  if (!creating && kind.detail) view.append(await kind.detail(entity));
}
