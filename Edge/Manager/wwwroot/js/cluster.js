// The cluster as the admin API shows it: every edge (/clustering/data-planes) with the config version it applied
// and how far behind the newest it is, every silo (/clustering/silos) with its status and load, this edge's
// /status, and each upstream's target health per edge.
import { h, page, notice, ago, formatTime } from './dom.js';
import { get, listAll, encode } from './api.js';
import { healthTable } from './targets.js';

export async function clusterPage(view) {
  let status;
  let planes;
  let silos;
  let upstreams;
  try {
    [status, planes, silos, upstreams] = await Promise.all([get('/status'), get('/clustering/data-planes'), get('/clustering/silos'), listAll('/upstreams', 200)]);
  } catch (error) {
    page(view, 'Cluster', notice(error.message));
    return;
  }
  const edges = planes?.data ?? [];
  const hosts = silos?.data ?? [];
  const newest = Math.max(status.configuration_version ?? 0, ...edges.map((e) => e.config_version ?? 0));
  const healths = await Promise.all(upstreams.map((u) => get(`/upstreams/${encode(u.id)}/health`).then((hl) => [u, hl], () => [u, null])));
  page(view, 'Cluster',
    h('section', { class: 'cards', 'aria-label': 'This edge' },
      card('Route table version', String(status.configuration_version)),
      card('Routes', String(status.routes)),
      card('Edges', String(edges.length)),
      card('Silos active', String(hosts.filter((s) => s.status === 'active').length)),
      card('Cluster storage', status.database?.reachable ? 'reachable' : 'unreachable'),
      card('Answered by', String(status.edge_id))),
    h('h2', {}, 'Edges'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'entities', id: 'edges' },
      h('caption', { class: 'visually-hidden' }, 'Edges of the cluster'),
      h('thead', {}, h('tr', {}, ['Id', 'Host', 'Region', 'Config version', 'Lag (versions)', 'Last seen'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, edges.map((e) => h('tr', {},
        h('th', { scope: 'row' }, e.id), h('td', {}, e.hostname ?? ''), h('td', {}, e.region ?? ''),
        // An edge that has not applied a version yet says -1: shown as none rather than as a lag behind version 0.
        h('td', {}, e.config_version >= 0 ? e.config_version : 'none yet'),
        h('td', {}, e.config_version >= 0 ? Math.max(0, newest - e.config_version) : '—'),
        h('td', {}, when(e.last_seen))))))),
    h('h2', {}, 'Silos'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'entities', id: 'silos' },
      h('caption', { class: 'visually-hidden' }, 'Silos of the cluster'),
      h('thead', {}, h('tr', {}, ['Address', 'Name', 'Host', 'Status', 'Started', 'Last seen', 'Activations', 'Clients', 'CPU', 'Memory', 'Route table'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, hosts.length
        ? hosts.map((s) => h('tr', {},
          h('th', { scope: 'row' }, s.address), h('td', {}, s.name ?? ''), h('td', {}, s.hostname ?? ''),
          h('td', {}, h('span', { class: `silo-${s.status}` }, s.status)),
          h('td', {}, when(s.started_at)), h('td', {}, when(s.last_seen)),
          h('td', {}, s.activations ?? '—'), h('td', {}, s.clients ?? '—'),
          h('td', {}, s.cpu_usage === null || s.cpu_usage === undefined ? '—' : `${s.cpu_usage} %`),
          h('td', {}, s.memory_usage_bytes ? `${Math.round(s.memory_usage_bytes / 1048576)} MB` : '—'),
          h('td', {}, s.holds_route_table ? 'here' : '')))
        : h('tr', {}, h('td', { colspan: 11 }, 'No silos known.'))))),
    h('h2', {}, 'Upstream health'),
    healths.length
      ? healths.map(([u, health]) => h('div', { class: 'table-wrap' }, health ? healthTable(u.name, health) : notice(`No health for ${u.name}.`)))
      : h('p', {}, 'No upstreams.'));
}

/** A time as "12 s ago", the exact time on hover and in the markup. */
function when(seconds) {
  if (seconds === null || seconds === undefined) return '';
  return h('time', { datetime: new Date(seconds * 1000).toISOString(), title: formatTime(seconds) }, ago(seconds));
}

function card(title, value) {
  return h('div', { class: 'card' }, h('p', { class: 'card-title' }, title), h('p', { class: 'card-value' }, value));
}
