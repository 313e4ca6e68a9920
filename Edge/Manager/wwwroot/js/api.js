// The admin API, called from the same origin as the page. Nothing else is called. The admin token (when admin
// authentication is on) lives in this tab's sessionStorage only, and goes with every call as Kong-Admin-Token.

const TOKEN_KEY = 'turnpike.adminToken';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An admin API failure in words fit to show: a message and, for 400s, messages per field path. */
export class ApiError extends Error {
  constructor(status, message, fields) {
    super(message);
    this.status = status;
    this.fields = fields ?? {};
  }
}

function headers(extra = {}) {
  const result = { Accept: 'application/json', ...extra };
  const value = token();
  if (value) result['Kong-Admin-Token'] = value;
  return result;
}

/** Kong's nested `fields` ({config: {minute: '…'}}) as flat paths ({'config.minute': '…'}); lists of messages joined. */
export function flattenFields(fields, prefix = '', into = {}) {
  if (!fields || typeof fields !== 'object') return into;
  for (const [name, value] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (typeof value === 'string') {
      into[path] = value;
    } else if (Array.isArray(value)) {
      const texts = value.filter((v) => typeof v === 'string');
      if (texts.length) into[path] = texts.join('; ');
      value.forEach((v, i) => { if (v && typeof v === 'object') flattenFields(v, `${path}.${i}`, into); });
    } else if (value && typeof value === 'object') {
      flattenFields(value, path, into);
    }
  }
  return into;
}

function describe(status) {
  if (status === 401) return 'The admin API needs a valid admin token: enter one under "Admin token".';
  if (status === 403) return 'This admin token is not allowed to do that.';
  if (status === 404) return 'Not found: it may have been deleted.';
  if (status === 409) return 'That conflicts with an existing entity.';
  if (status === 413) return 'That is too large for the admin API.';
  if (status >= 500) return `The gateway could not complete the request (HTTP ${status}); try again.`;
  return `The request was refused (HTTP ${status}).`;
}

async function errorOf(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON: the status says enough */ }
  // Kong's messages are written for people; anything else (and any 5xx body) is replaced by a plain sentence.
  const message = response.status < 500 && typeof body?.message === 'string' && body.message.length < 500
    ? body.message : describe(response.status);
  return new ApiError(response.status, response.status === 401 ? describe(401) : message, flattenFields(body?.fields));
}

export async function request(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'The gateway did not answer; check that it is running.');
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);

/** Every page of a listing (Kong's `next`), up to `limit` entities. */
export async function listAll(path, limit = 5000) {
  const items = [];
  let next = path + (path.includes('?') ? '&' : '?') + 'size=1000';
  while (next && items.length < limit) {
    const body = await get(next);
    items.push(...(body?.data ?? []));
    next = body?.next ?? null;
  }
  return items;
}

/** A download of a streamed answer: the browser saves it as it arrives unless a token must go with it. */
export async function download(path, filename) {
  const anchor = document.createElement('a');
  anchor.download = filename;
  if (!token()) {
    anchor.href = path;
    anchor.click();
    return;
  }
  const response = await fetch(path, { headers: headers(), credentials: 'omit', cache: 'no-store' });
  if (!response.ok) throw await errorOf(response);
  const url = URL.createObjectURL(await response.blob());
  anchor.href = url;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export const encode = encodeURIComponent;
