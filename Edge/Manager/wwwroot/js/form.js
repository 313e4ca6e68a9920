// Forms generated from Kong-format schemas (/schemas/{entity}, /schemas/plugins/{name}): one input per field,
// labelled, with the schema's default, choices and bounds; values read back into the JSON the admin API takes;
// the API's 400 `fields` shown next to the field each one names.
import { h, uid, notice } from './dom.js';
import { get, listAll, encode } from './api.js';

const SKIPPED = new Set(['id', 'created_at', 'updated_at']);
const LONG_TEXT = new Set(['cert', 'key', 'cert_alt', 'key_alt', 'rsa_public_key', 'template', 'body']);

/** Schema fields as [name, definition] pairs. */
export function fieldsOf(schema) {
  return (schema?.fields ?? []).map((f) => Object.entries(f)[0]);
}

function labelOf(name) {
  return name.replace(/_/g, ' ');
}

function hintOf(def) {
  const parts = [];
  if (def.between) parts.push(`${def.between[0]} to ${def.between[1]}`);
  if (def.len_min) parts.push(`at least ${def.len_min}`);
  if (def.type === 'array' || def.type === 'set') parts.push('one per line');
  if (def.type === 'map') parts.push('one "key: value" per line');
  return parts.join(', ');
}

function foreignLabel(entity) {
  return entity.name ?? entity.username ?? entity.custom_id ?? entity.id;
}

/**
 * A form for `schema`. options: values (an entity being edited), hidden (field names not to show), foreign
 * (reference name → preloaded list, else loaded), prefix (path of nested fields, as in `fields`).
 */
export class SchemaForm {
  constructor(schema, options = {}) {
    this.options = options;
    this.inputs = new Map(); // path → { def, read(), element, error }
    this.element = h('div', { class: 'schema-form' });
    this.pending = [];
    this.#addFields(this.element, fieldsOf(schema), options.prefix ?? '', options.values ?? {});
    // What each field said when the form was drawn, so an edit can send only what the user changed.
    this.initial = new Map([...this.inputs].filter(([, input]) => !input.record).map(([path, input]) => [path, JSON.stringify(input.read())]));
  }

  /** Moves the focus to the first field. */
  focus() {
    [...this.inputs.values()].find((input) => input.element)?.element.focus();
  }

  /** An edit's JSON: only the fields changed since the form was drawn (a PATCH leaves the rest as stored). */
  changes() {
    return this.values({ editing: true, changedOnly: true });
  }

  /** Resolves once the choices of foreign keys are loaded. */
  ready() {
    return Promise.all(this.pending);
  }

  #addFields(container, fields, prefix, values) {
    for (const [name, def] of fields) {
      if (!prefix && SKIPPED.has(name)) continue;
      if (!prefix && this.options.hidden?.includes(name)) continue;
      const path = prefix ? `${prefix}.${name}` : name;
      const value = values?.[name];
      if (def.type === 'record') {
        const legend = h('legend', {}, labelOf(name));
        const fieldset = h('fieldset', { class: 'record', dataset: { path } }, legend);
        const error = h('p', { class: 'field-error', id: uid('err'), hidden: true });
        fieldset.append(error);
        this.inputs.set(path, { def, record: true, error });
        this.#addFields(fieldset, (def.fields ?? []).map((f) => Object.entries(f)[0]), path, value ?? {});
        container.append(fieldset);
        continue;
      }
      container.append(this.#field(name, path, def, value));
    }
  }

  #field(name, path, def, value) {
    const id = uid('field');
    const errorId = uid('err');
    const hintText = hintOf(def);
    const hintId = hintText ? uid('hint') : null;
    const error = h('p', { class: 'field-error', id: errorId, hidden: true });
    const required = def.required && def.default === undefined && !def.auto;
    const label = h('label', { for: id }, labelOf(name), required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null);
    const current = value !== undefined ? value : def.default;
    const describedBy = [hintId, errorId].filter(Boolean).join(' ');
    let element;
    let read;
    const elements = def.elements ?? {};
    if (def.type === 'boolean' && def.default === undefined && !def.required) {
      // No default: "not set" is a third state (tls_verify unset means the service's protocol decides).
      element = h('select', { id, name: path, 'aria-describedby': describedBy },
        ['', 'true', 'false'].map((v) => h('option', { value: v, selected: String(current ?? '') === v }, v || '(not set)')));
      read = () => (element.value === '' ? null : element.value === 'true');
    } else if (def.type === 'boolean') {
      element = h('input', { type: 'checkbox', id, name: path, checked: current === true, 'aria-describedby': describedBy });
      read = () => element.checked;
      const wrapper = h('div', { class: 'field checkbox', dataset: { path } }, element, label, error);
      this.inputs.set(path, { def, read, element, error });
      return wrapper;
    }
    if ((def.type === 'set' || def.type === 'array') && elements.one_of) {
      const chosen = new Set(current ?? []);
      const boxes = elements.one_of.map((choice) => {
        const boxId = uid('choice');
        const box = h('input', { type: 'checkbox', id: boxId, value: String(choice), checked: chosen.has(choice) });
        return [choice, box, h('label', { for: boxId, class: 'inline' }, String(choice))];
      });
      const group = h('fieldset', { class: 'field choices', dataset: { path }, 'aria-describedby': describedBy },
        h('legend', {}, labelOf(name)), boxes.map(([, box, l]) => h('span', { class: 'choice' }, box, l)), error);
      read = () => boxes.filter(([, box]) => box.checked).map(([choice]) => choice);
      this.inputs.set(path, { def, read, element: boxes[0]?.[1], error });
      return group;
    }
    if (def.one_of && (def.type === 'string' || def.type === 'integer' || def.type === 'number')) {
      element = h('select', { id, name: path, 'aria-describedby': describedBy },
        required ? null : h('option', { value: '' }, '(not set)'),
        def.one_of.map((choice) => h('option', { value: String(choice), selected: String(choice) === String(current ?? '') }, String(choice))));
      read = () => (element.value === '' ? null : def.type === 'string' ? element.value : Number(element.value));
    } else if (def.type === 'foreign') {
      element = h('select', { id, name: path, 'aria-describedby': describedBy }, h('option', { value: '' }, '(none)'));
      const chosen = current?.id ?? '';
      const preset = this.options.foreign?.[def.reference];
      const fill = (items) => {
        for (const item of items) element.append(h('option', { value: item.id, selected: item.id === chosen }, foreignLabel(item)));
        if (chosen && !items.some((i) => i.id === chosen)) element.append(h('option', { value: chosen, selected: true }, chosen));
      };
      if (preset) fill(preset);
      else this.pending.push(listAll(`/${encode(def.reference)}`, 1000).then(fill, () => fill([])));
      read = () => (element.value ? { id: element.value } : null);
    } else if (def.type === 'integer' || def.type === 'number') {
      element = h('input', {
        type: 'number', id, name: path, inputmode: def.type === 'integer' ? 'numeric' : 'decimal',
        step: def.type === 'integer' ? '1' : 'any', value: current ?? '', 'aria-describedby': describedBy,
      });
      // Sent as typed, so the API (not the browser) judges a bad number and its message shows by the field.
      read = () => (element.value.trim() === '' ? null : Number(element.value));
    } else if (def.type === 'array' || def.type === 'set') {
      const text = (current ?? []).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join('\n');
      element = h('textarea', { id, name: path, rows: 3, 'aria-describedby': describedBy }, text);
      read = () => {
        const lines = element.value.split('\n').map((l) => l.trim()).filter((l) => l.length);
        const numeric = elements.type === 'integer' || elements.type === 'number';
        return lines.map((l) => (numeric && /^-?\d+(\.\d+)?$/.test(l) ? Number(l) : l));
      };
    } else if (def.type === 'map') {
      const text = Object.entries(current ?? {})
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`).join('\n');
      element = h('textarea', { id, name: path, rows: 3, 'aria-describedby': describedBy }, text);
      read = () => {
        const result = {};
        for (const line of element.value.split('\n')) {
          const at = line.indexOf(':');
          if (at <= 0) continue;
          const v = line.slice(at + 1).trim();
          result[line.slice(0, at).trim()] = def.values?.type === 'array' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
        }
        return result;
      };
    } else {
      // A certificate's key is a PEM (its schema marks it encrypted); a credential's key is one line (a JWT issuer).
      const long = LONG_TEXT.has(name) && def.type === 'string' && (!name.startsWith('key') || def.encrypted);
      element = long
        ? h('textarea', { id, name: path, rows: 6, spellcheck: 'false', 'aria-describedby': describedBy }, current ?? '')
        : h('input', { type: def.encrypted ? 'password' : 'text', id, name: path, value: current ?? '', autocomplete: 'off', 'aria-describedby': describedBy });
      read = () => (element.value === '' ? null : element.value);
    }
    this.inputs.set(path, { def, read, element, error });
    return h('div', { class: 'field', dataset: { path } }, label, element,
      hintText ? h('p', { class: 'hint', id: hintId }, hintText) : null, error);
  }

  /** The JSON to send. Creating leaves unset fields out (the API's defaults apply); editing sends null to clear. */
  values({ editing = false, changedOnly = false } = {}) {
    const result = {};
    for (const [path, input] of this.inputs) {
      if (input.record) continue;
      let value = input.read();
      if (changedOnly && JSON.stringify(value) === this.initial.get(path)) continue;
      const empty = value === null || (Array.isArray(value) && value.length === 0)
        || (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0 && input.def.type === 'map');
      if (empty && !editing) continue;
      if (empty && input.def.type !== 'set' && input.def.type !== 'array') value = null;
      const parts = path.split('.');
      let target = result;
      for (const part of parts.slice(0, -1)) target = (target[part] ??= {});
      target[parts[parts.length - 1]] = value;
    }
    return result;
  }

  clearErrors() {
    for (const input of this.inputs.values()) {
      input.error.hidden = true;
      input.error.textContent = '';
      input.element?.removeAttribute('aria-invalid');
    }
  }

  /** Puts each message of `fields` (flat paths) by its field; answers the paths it has no field for, and the first input. */
  place(fields) {
    const unplaced = {};
    let first = null;
    for (const [path, message] of Object.entries(fields)) {
      const input = this.inputs.get(path);
      if (!input) {
        unplaced[path] = message;
        continue;
      }
      input.error.textContent = message;
      input.error.hidden = false;
      input.element?.setAttribute('aria-invalid', 'true');
      first ??= input.element ?? input.error;
    }
    return { unplaced, first };
  }
}

/** Shows an ApiError on one or more forms: messages by their fields, the rest (and a summary) in `summary`. */
export function showErrors(forms, error, summary) {
  forms.forEach((f) => f.clearErrors());
  summary.replaceChildren();
  let remaining = error.fields ?? {};
  let first = null;
  for (const form of forms) {
    const placed = form.place(remaining);
    remaining = placed.unplaced;
    first ??= placed.first;
  }
  summary.append(notice(first ? 'Please correct the fields marked below.' : error.message));
  for (const [path, message] of Object.entries(remaining)) {
    if (first || path !== '@entity' || message !== error.message) {
      summary.append(notice(path.startsWith('@entity') ? message : `${path.replace(/\./g, ' → ')}: ${message}`));
    }
  }
  (first ?? summary).focus();
}

/** Loads the schema of an entity collection (services, routes, …) or a plugin. */
export const entitySchema = (entity) => get(`/schemas/${encode(entity)}`);
export const pluginSchema = (name) => get(`/schemas/plugins/${encode(name)}`);
