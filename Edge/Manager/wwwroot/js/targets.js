// An upstream's targets with their health as each edge sees it (/upstreams/{u}/health), added, edited and deleted here.
import { h, notice } from './dom.js';
import { get, encode } from './api.js';
import { childSection } from './children.js';

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
  const healthBox = h('div', { class: 'table-wrap' });
  const element = await childSection(`/upstreams/${encode(upstream.id)}/targets`, {
    title: 'Targets', schema: 'targets', parent: 'upstream', noun: 'target', empty: 'No targets yet.',
    show: (t) => `${t.target} (weight ${t.weight})`,
    loaded: async () => {
      try {
        healthBox.replaceChildren(healthTable(upstream.name, await get(`/upstreams/${encode(upstream.id)}/health`)));
      } catch (error) {
        healthBox.replaceChildren(notice(error.message));
      }
    },
  });
  element.append(h('h3', {}, 'Health per edge'), healthBox);
  return element;
}
