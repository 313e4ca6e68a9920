// An upstream's targets with their health as each edge sees it (/upstreams/{u}/health), added and deleted here.
import { h, notice, clear } from './dom.js';
import { get, post, encode } from './api.js';
import { SchemaForm, entitySchema, showErrors } from './form.js';
import { deleteButton } from './entities.js';

/** A table of targets × edges with each edge's view of the target's health. */
export function healthTable(upstreamName, health) {
  const edges = [...new Set((health?.data ?? []).flatMap((t) => Object.keys(t.edges ?? {})))].sort();
  return h('table', { class: 'entities health' },
    h('caption', {}, `Targets of ${upstreamName}`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Target'), h('th', { scope: 'col' }, 'Weight'),
      edges.map((e) => h('th', { scope: 'col' }, `Health on ${e}`)))),
    h('tbody', {}, (health?.data ?? []).map((t) => h('tr', {},
      h('th', { scope: 'row' }, t.target), h('td', {}, t.weight),
      edges.map((e) => h('td', {}, h('span', { class: `health-${String(t.edges?.[e] ?? '').toLowerCase()}` }, t.edges?.[e] ?? '—')))))));
}

export async function upstreamTargets(upstream) {
  const base = `/upstreams/${encode(upstream.id)}/targets`;
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('ul', { class: 'credential-list' });
  const healthBox = h('div', { class: 'table-wrap' });
  const summary = h('div', { class: 'form-errors', tabindex: '-1' });
  const element = h('section', { class: 'subsection', 'aria-labelledby': 'targets-heading' },
    h('h2', { id: 'targets-heading' }, 'Targets'), status, list, h('h3', {}, 'Health per edge'), healthBox);
  const load = async () => {
    try {
      const [targets, health] = await Promise.all([get(base), get(`/upstreams/${encode(upstream.id)}/health`)]);
      clear(list);
      for (const target of targets?.data ?? []) {
        list.append(h('li', {}, h('span', { class: 'credential' }, `${target.target} (weight ${target.weight})`),
          deleteButton(`target ${target.target}`, `${base}/${encode(target.id)}`, load, (e) => status.replaceChildren(notice(e.message)))));
      }
      if (!list.children.length) list.append(h('li', { class: 'empty' }, 'No targets yet.'));
      healthBox.replaceChildren(healthTable(upstream.name, health));
    } catch (error) {
      status.replaceChildren(notice(error.message));
    }
  };
  try {
    const form = new SchemaForm(await entitySchema('targets'), { hidden: ['upstream'] });
    const add = h('button', { type: 'submit' }, 'Add target');
    const formElement = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Add a target' }, summary, form.element, h('div', { class: 'form-actions' }, add));
    formElement.addEventListener('submit', async (event) => {
      event.preventDefault();
      add.disabled = true;
      try {
        await post(base, form.values());
        form.clearErrors();
        summary.replaceChildren(notice('Target added.', 'success'));
        await load();
      } catch (error) {
        showErrors([form], error, summary);
      } finally {
        add.disabled = false;
      }
    });
    element.append(h('details', {}, h('summary', {}, 'Add a target'), formElement));
  } catch (error) {
    status.replaceChildren(notice(error.message));
  }
  await load();
  return element;
}
