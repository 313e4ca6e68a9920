// Builds DOM nodes from data. Text always goes in as text (textContent, attribute values), never as markup:
// names, tags and plugin settings are admin-stored strings, and the page must show them, not run them.

/** h('button', {class: 'x', onclick: f}, 'label', child) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'checked' || name === 'selected') {
      // As attributes too: they are what a form's reset() goes back to (the property alone is forgotten).
      element.setAttribute(name, '');
      element[name] = true;
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name in element && typeof value !== 'string') {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

/** A page's shell: its heading (focused on navigation, for keyboard and screen reader users) and content. */
export function page(view, title, ...children) {
  const heading = h('h1', { tabindex: '-1' }, title);
  clear(view).append(heading);
  append(view, children);
  // A page that finished after the next navigation began is drawn into a detached node: it must not take the title or focus.
  if (view.isConnected) {
    document.title = `${title} · Turnpike Manager`;
    heading.focus();
  }
  return view;
}

/** A status line for errors or notices; role=alert is read out when it appears. */
export function notice(message, kind = 'error') {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

export function formatTime(seconds) {
  if (seconds === null || seconds === undefined) return '';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function ago(seconds) {
  const delta = Math.max(0, Math.round(Date.now() / 1000 - seconds));
  if (delta < 60) return `${delta} s ago`;
  if (delta < 3600) return `${Math.round(delta / 60)} min ago`;
  return `${Math.round(delta / 3600)} h ago`;
}
