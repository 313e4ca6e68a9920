// A consumer's credentials (key-auth, basic-auth, jwt) and ACL groups: listed, added with forms from their
// schemas, deleted.
import { h, notice, clear } from './dom.js';
import { get, post, encode } from './api.js';
import { SchemaForm, entitySchema, showErrors } from './form.js';
import { deleteButton } from './entities.js';

const KINDS = [
  { title: 'Key-auth credentials', path: 'key-auth', schema: 'keyauth_credentials', show: (c) => c.key },
  { title: 'Basic-auth credentials', path: 'basic-auth', schema: 'basicauth_credentials', show: (c) => c.username },
  { title: 'JWT credentials', path: 'jwt', schema: 'jwt_secrets', show: (c) => `${c.key ?? ''} (${c.algorithm ?? ''})` },
  { title: 'ACL groups', path: 'acls', schema: 'acls', show: (c) => c.group },
];

async function section(consumer, kind) {
  const base = `/consumers/${encode(consumer.id)}/${kind.path}`;
  const headingId = `cred-${kind.path}`;
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('ul', { class: 'credential-list' });
  const summary = h('div', { class: 'form-errors', tabindex: '-1' });
  const element = h('section', { class: 'subsection', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, kind.title), status, list);
  const load = async () => {
    try {
      const body = await get(base);
      clear(list);
      for (const credential of body?.data ?? []) {
        const label = String(kind.show(credential) ?? credential.id);
        list.append(h('li', {}, h('span', { class: 'credential' }, label),
          (credential.tags ?? []).map((t) => h('span', { class: 'tag' }, t)),
          deleteButton(`${kind.title} ${label}`, `${base}/${encode(credential.id)}`, load, (e) => status.replaceChildren(notice(e.message)))));
      }
      if (!list.children.length) list.append(h('li', { class: 'empty' }, 'None yet.'));
    } catch (error) {
      status.replaceChildren(notice(error.message));
    }
  };
  try {
    const form = new SchemaForm(await entitySchema(kind.schema), { hidden: ['consumer'] });
    const add = h('button', { type: 'submit' }, 'Add');
    const formElement = h('form', { class: 'inline-form', novalidate: true, 'aria-label': `Add to ${kind.title}` },
      summary, form.element, h('div', { class: 'form-actions' }, add));
    formElement.addEventListener('submit', async (event) => {
      event.preventDefault();
      add.disabled = true;
      try {
        await post(base, form.values());
        form.clearErrors();
        summary.replaceChildren(notice('Added.', 'success'));
        formElement.reset();
        await load();
      } catch (error) {
        showErrors([form], error, summary);
      } finally {
        add.disabled = false;
      }
    });
    element.append(h('details', {}, h('summary', {}, `Add to ${kind.title.toLowerCase()}`), formElement));
  } catch (error) {
    status.replaceChildren(notice(error.message));
  }
  await load();
  return element;
}

export async function consumerCredentials(consumer) {
  const sections = await Promise.all(KINDS.map((kind) => section(consumer, kind)));
  return h('div', { class: 'details' }, sections);
}
