// Entities that live under another one (a consumer's credentials, an upstream's targets): listed, added, edited in
// place and deleted with forms from their schemas, the parent's own reference field left out of the form.
import { h, notice, clear } from './dom.js';
import { get, post, patch, encode } from './api.js';
import { SchemaForm, entitySchema, showErrors } from './form.js';
import { deleteButton } from './entities.js';

/**
 * A section for the children at `base` (`/consumers/{id}/basic-auth`). spec: title, schema (its /schemas name),
 * parent (the reference field to hide), show (child → its label), noun (what "Add" adds), loaded (called with
 * the children after each load, for what the caller shows beside them).
 */
export async function childSection(base, spec) {
  const headingId = `children-${spec.schema}`;
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('ul', { class: 'credential-list' });
  const summary = h('div', { class: 'form-errors', tabindex: '-1' });
  const element = h('section', { class: 'subsection', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, spec.title), status, list);
  let schema = null;

  /** The child's row replaced by its form, filled in; saved with PATCH (only what changed), or put back on Cancel. */
  const edit = (item, child, label) => {
    const form = new SchemaForm(schema, { values: child, hidden: [spec.parent] });
    const errors = h('div', { class: 'form-errors', tabindex: '-1' });
    const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const editor = h('form', { class: 'inline-form', novalidate: true, 'aria-label': `Edit ${label}` }, errors, form.element,
      h('div', { class: 'form-actions' }, save, cancel));
    const row = [...item.childNodes];
    cancel.addEventListener('click', () => { item.replaceChildren(...row); item.querySelector('button')?.focus(); });
    editor.addEventListener('submit', async (event) => {
      event.preventDefault();
      save.disabled = true;
      try {
        await patch(`${base}/${encode(child.id)}`, form.changes());
        status.replaceChildren(notice(`Saved ${label}.`, 'success'));
        await load();
      } catch (error) {
        showErrors([form], error, errors);
      } finally {
        save.disabled = false;
      }
    });
    item.replaceChildren(editor);
    form.focus();
  };

  const load = async () => {
    try {
      const body = await get(base);
      clear(list);
      const children = body?.data ?? [];
      for (const child of children) {
        const label = String(spec.show(child) ?? child.id);
        const item = h('li', {});
        const editButton = h('button', { type: 'button', 'aria-label': `Edit ${spec.noun} ${label}` }, 'Edit');
        editButton.addEventListener('click', () => edit(item, child, `${spec.noun} ${label}`));
        item.append(h('span', { class: 'credential' }, label),
          (child.tags ?? []).map((t) => h('span', { class: 'tag' }, t)),
          schema ? editButton : null,
          deleteButton(`${spec.noun} ${label}`, `${base}/${encode(child.id)}`, load, (e) => status.replaceChildren(notice(e.message))));
        list.append(item);
      }
      if (!children.length) list.append(h('li', { class: 'empty' }, spec.empty ?? 'None yet.'));
      await spec.loaded?.(children);
    } catch (error) {
      status.replaceChildren(notice(error.message));
    }
  };

  try {
    schema = await entitySchema(spec.schema);
    const form = new SchemaForm(schema, { hidden: [spec.parent] });
    const add = h('button', { type: 'submit' }, 'Add');
    const formElement = h('form', { class: 'inline-form', novalidate: true, 'aria-label': `Add to ${spec.title}` },
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
    element.append(h('details', {}, h('summary', {}, `Add to ${spec.title.toLowerCase()}`), formElement));
  } catch (error) {
    status.replaceChildren(notice(error.message));
  }
  await load();
  return element;
}
