// Turnpike Manager: a page per hash route (#/services, #/routes/{id}, #/usage …), each drawn from admin API calls.
import { h, page, notice } from './dom.js';
import { token, setToken, get } from './api.js';
import { KINDS, listPage, entityPage } from './entities.js';
import { pluginList, pluginPage } from './plugins.js';
import { clusterPage } from './cluster.js';
import { usagePage } from './usage.js';

const view = document.getElementById('view');

async function overview(view) {
  let info;
  try {
    info = await get('/');
  } catch (error) {
    page(view, 'Turnpike Manager', notice(error.message));
    return;
  }
  page(view, 'Turnpike Manager',
    h('p', {}, 'Manage this gateway cluster through its admin API: every page here makes the same calls a script or decK would.'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Version'), h('dd', {}, String(info.version ?? '')),
      h('dt', {}, 'Answered by'), h('dd', {}, String(info.node_id ?? '')),
      h('dt', {}, 'Host'), h('dd', {}, String(info.hostname ?? '')),
      h('dt', {}, 'Plugins on this edge'), h('dd', {}, Object.keys(info.plugins?.available_on_server ?? {}).length)),
    h('ul', { class: 'shortcuts' }, Object.entries(KINDS).map(([k, kind]) => h('li', {}, h('a', { href: `#/${k}` }, kind.title))),
      h('li', {}, h('a', { href: '#/plugins' }, 'Plugins')), h('li', {}, h('a', { href: '#/cluster' }, 'Cluster')), h('li', {}, h('a', { href: '#/usage' }, 'Usage'))));
}

// Each navigation draws into a page of its own. A page still loading when the next navigation starts (the
// overview's first call, say, when a link is followed before it answered) finishes into its own detached page,
// never over the newer one.
let current = null;

async function route() {
  const [path, search] = location.hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(search ?? '');
  const [section, id] = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const link of document.querySelectorAll('nav a')) {
    if (link.getAttribute('href') === `#/${section ?? ''}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const target = h('div', { class: 'page' }, notice('Loading…', 'info'));
  current = target;
  view.replaceChildren(target);
  view.setAttribute('aria-busy', 'true');
  try {
    if (section && KINDS[section]) {
      await (id ? entityPage(target, section, id) : listPage(target, section, query));
    } else if (section === 'plugins') {
      await (id ? pluginPage(target, id, query) : pluginList(target, query));
    } else if (section === 'cluster') {
      await clusterPage(target);
    } else if (section === 'usage') {
      await usagePage(target);
    } else {
      await overview(target);
    }
  } catch {
    // Never a stack trace on the page: a plain sentence, and the details stay in the browser's console.
    page(target, 'Something went wrong', notice('This page could not be shown. Reload to try again.'));
  } finally {
    if (current === target) view.removeAttribute('aria-busy');
  }
}

function tokenControls() {
  const input = document.getElementById('admin-token');
  const state = document.getElementById('token-state');
  const show = () => { state.textContent = token() ? 'Token set for this tab.' : 'No token (admin authentication off).'; };
  input.value = '';
  show();
  document.getElementById('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    input.value = '';
    show();
    route();
  });
  document.getElementById('token-clear').addEventListener('click', () => { setToken(''); show(); route(); });
}

const menu = document.getElementById('menu-toggle');
menu.addEventListener('click', () => {
  const open = menu.getAttribute('aria-expanded') !== 'true';
  menu.setAttribute('aria-expanded', String(open));
  document.body.classList.toggle('menu-open', open);
});
document.querySelector('nav').addEventListener('click', (event) => {
  const link = event.target.closest('a');
  if (!link) return;
  menu.setAttribute('aria-expanded', 'false');
  document.body.classList.remove('menu-open');
  // The link to the page already shown changes no hash, so no hashchange: draw the page again (fresh numbers).
  if (link.getAttribute('href') === location.hash) route();
});

window.addEventListener('hashchange', route);
tokenControls();
route();
