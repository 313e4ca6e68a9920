// A consumer's credentials (key-auth, basic-auth, hmac-auth, jwt, oauth2 applications) and ACL groups: listed, added, edited and
// deleted with forms from their schemas.
import { h } from './dom.js';
import { encode } from './api.js';
import { childSection } from './children.js';

const KINDS = [
  { title: 'Key-auth credentials', path: 'key-auth', schema: 'keyauth_credentials', noun: 'key', show: (c) => c.key },
  { title: 'Basic-auth credentials', path: 'basic-auth', schema: 'basicauth_credentials', noun: 'basic-auth user', show: (c) => c.username },
  { title: 'HMAC-auth credentials', path: 'hmac-auth', schema: 'hmacauth_credentials', noun: 'HMAC user', show: (c) => c.username },
  { title: 'JWT credentials', path: 'jwt', schema: 'jwt_secrets', noun: 'JWT key', show: (c) => `${c.key ?? ''} (${c.algorithm ?? ''})` },
  { title: 'OAuth2 applications', path: 'oauth2', schema: 'oauth2_credentials', noun: 'OAuth2 application', show: (c) => `${c.name ?? ''} (${c.client_id ?? ''})` },
  { title: 'ACL groups', path: 'acls', schema: 'acls', noun: 'ACL group', show: (c) => c.group },
];

export async function consumerCredentials(consumer) {
  const sections = await Promise.all(KINDS.map((kind) =>
    childSection(`/consumers/${encode(consumer.id)}/${kind.path}`, { ...kind, parent: 'consumer' })));
  return h('div', { class: 'details' }, sections);
}
