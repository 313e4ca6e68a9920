// Plugins: a list (search by name, filter by tag, scope shown), and a form in two parts: the plugin entity's own
// fields (scope, protocols, enabled, tags) from /schemas/plugins, and its config from /schemas/plugins/{name}.
import { h, page, notice, clear, uid } from './dom.js';
import { get, post, patch, listAll, encode } from './api.js';
import { SchemaForm, entitySchema, pluginSchema, showErrors } from './form.js';
import { deleteButton, setFlash, takeFlash } from './entities.js';

async function namesById() {
  const [services, routes, consumers] = await Promise.all(['services', 'routes', 'consumers'].map((k) => listAll(`/${k}`).catch(() => [])));
  const map = (items) => new Map(items.map((i) => [i.id, i.name ?? i.username ?? i.custom_id ?? i.id]));
  return { services: map(services), routes: map(routes), consumers: map(consumers), lists: { services, routes, consumers } };
}

function scopeOf(plugin, names) {
  const parts = [];
  if (plugin.service) parts.push(`service ${names.services.get(plugin.service.id) ?? plugin.service.id}`);
  if (plugin.route) parts.push(`route ${names.routes.get(plugin.route.id) ?? plugin.route.id}`);
  if (plugin.consumer) parts.push(`consumer ${names.consumers.get(plugin.consumer.id) ?? plugin.consumer.id}`);
  return parts.length ? parts.join(', ') : 'global';
}

export async function pluginList(view, query) {
  const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
  const searchId = uid('search');
  const tagId = uid('tag');
  const search = h('input', { type: 'search', id: searchId, value: query.get('q') ?? '', autocomplete: 'off' });
  const tag = h('input', { type: 'text', id: tagId, autocomplete: 'off', placeholder: 'a,b (all) or a/b (any)' });
  const body = h('tbody');
  page(view, 'Plugins',
    takeFlash(),
    h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } },
      h('div', { class: 'field' }, h('label', { for: searchId }, 'Search by name'), search),
      h('div', { class: 'field' }, h('label', { for: tagId }, 'Filter by tag'), tag),
      h('button', { type: 'submit' }, 'Apply'),
      h('a', { class: 'button primary', href: '#/plugins/new' }, 'New plugin')),
    status,
    h('div', { class: 'table-wrap' }, h('table', { class: 'entities' },
      h('caption', { class: 'visually-hidden' }, 'Plugins'),
      h('thead', {}, h('tr', {}, ['Name', 'Instance', 'Applies to', 'Enabled', 'Tags'].map((t) => h('th', { scope: 'col' }, t)),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      body)));
  let items = [];
  let names = null;
  const render = () => {
    const term = search.value.trim().toLowerCase();
    clear(body);
    for (const plugin of items.filter((p) => !term || p.name.toLowerCase().includes(term) || (p.instance_name ?? '').toLowerCase().includes(term))) {
      body.append(h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: `#/plugins/${encode(plugin.id)}` }, plugin.name)),
        h('td', {}, plugin.instance_name ?? ''),
        h('td', {}, scopeOf(plugin, names)),
        h('td', {}, plugin.enabled === false ? 'no' : 'yes'),
        h('td', {}, (plugin.tags ?? []).map((t) => h('span', { class: 'tag' }, t))),
        h('td', {}, deleteButton(`plugin ${plugin.name} (${scopeOf(plugin, names)})`, `/plugins/${encode(plugin.id)}`, load, (e) => status.replaceChildren(notice(e.message))))));
    }
    if (!body.children.length) body.append(h('tr', {}, h('td', { colspan: 6 }, items.length ? 'Nothing matches.' : 'No plugins yet.')));
  };
  async function load() {
    try {
      const tags = tag.value.trim();
      [items, names] = await Promise.all([listAll(`/plugins${tags ? `?tags=${encode(tags)}` : ''}`), namesById()]);
      status.replaceChildren(notice(`${items.length} plugin${items.length === 1 ? '' : 's'}`, 'info'));
      render();
    } catch (error) {
      status.replaceChildren(notice(error.message));
    }
  }
  search.addEventListener('input', render);
  await load();
}

export async function pluginPage(view, id, query) {
  const creating = id === 'new';
  const summary = h('div', { class: 'form-errors', tabindex: '-1' });
  let plugin;
  let common;
  let enabled;
  let names;
  try {
    [plugin, common, enabled, names] = await Promise.all([
      creating ? null : get(`/plugins/${encode(id)}`), entitySchema('plugins'), get('/plugins/enabled'), namesById()]);
  } catch (error) {
    page(view, 'Plugin', notice(error.message), h('a', { href: '#/plugins' }, 'Back to plugins'));
    return;
  }
  const values = plugin ?? {};
  if (creating) {
    for (const scope of ['service', 'route', 'consumer']) {
      if (query.get(scope)) values[scope] = { id: query.get(scope) };
    }
  }
  const entityForm = new SchemaForm(common, { values, hidden: ['name', 'config'], foreign: names.lists });
  const nameId = uid('plugin-name');
  const nameSelect = h('select', { id: nameId, name: 'name', disabled: !creating },
    (enabled?.enabled_plugins ?? []).slice().sort().map((n) => h('option', { value: n, selected: n === (plugin?.name ?? query.get('name')) }, n)));
  const configBox = h('div', { class: 'config-box' });
  let configForm = null;
  const loadConfig = async () => {
    try {
      const schema = await pluginSchema(nameSelect.value);
      configForm = new SchemaForm(schema, { values: { config: plugin?.name === nameSelect.value ? plugin.config : undefined } });
      await configForm.ready();
      configBox.replaceChildren(configForm.element);
    } catch (error) {
      configForm = null;
      configBox.replaceChildren(notice(error.message));
    }
  };
  nameSelect.addEventListener('change', loadConfig);
  await loadConfig();
  const save = h('button', { type: 'submit', class: 'primary' }, creating ? 'Create plugin' : 'Save');
  const form = h('form', { class: 'entity-form', novalidate: true }, summary,
    h('div', { class: 'field' }, h('label', { for: nameId }, 'Plugin'), nameSelect),
    configBox,
    h('fieldset', { class: 'record' }, h('legend', {}, 'Where it applies'), entityForm.element),
    h('div', { class: 'form-actions' }, save, h('a', { class: 'button', href: '#/plugins' }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      const body = { ...entityForm.values({ editing: !creating }), name: nameSelect.value, config: configForm?.values({ editing: !creating }).config ?? {} };
      const saved = creating ? await post('/plugins', body) : await patch(`/plugins/${encode(plugin.id)}`, body);
      setFlash(`Saved plugin ${saved.name}.`);
      location.hash = '#/plugins';
    } catch (error) {
      showErrors([configForm, entityForm].filter(Boolean), error, summary);
    } finally {
      save.disabled = false;
    }
  });
  page(view, creating ? 'New plugin' : `Plugin ${plugin.name}`, h('p', {}, h('a', { href: '#/plugins' }, '← All plugins')), form);
}
