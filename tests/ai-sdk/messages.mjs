// Drives one request through the official Anthropic SDK and prints ONE JSON line describing what the SDK saw.
// Used by Turnpike's end-to-end tests of llm_format: anthropic (Anthropic's Messages API in front of any provider).
//
// Usage: node messages.mjs '{"baseURL":"http://127.0.0.1:5000/route","apiKey":"k","model":"m","max_tokens":64,"messages":[...],"stream":true}'
// Optional fields: system, tools, tool_choice, headers (sent with every request).
// Exit code 0 for a success or an API error (both are results); non-zero only for a crash.
import Anthropic from '@anthropic-ai/sdk';

const args = JSON.parse(process.argv[2] ?? '{}');
const client = new Anthropic({ baseURL: args.baseURL, apiKey: args.apiKey, maxRetries: 0, timeout: 30000, defaultHeaders: args.headers ?? {} });

const body = { model: args.model, max_tokens: args.max_tokens ?? 64, messages: args.messages ?? [] };
if (args.system !== undefined) body.system = args.system;
if (args.tools !== undefined) body.tools = args.tools;
if (args.tool_choice !== undefined) body.tool_choice = args.tool_choice;

function describe(message) {
  return {
    ok: true,
    id: message.id,
    type: message.type,
    role: message.role,
    model: message.model,
    text: message.content.filter(b => b.type === 'text').map(b => b.text).join(''),
    tool_uses: message.content.filter(b => b.type === 'tool_use').map(b => ({ id: b.id, name: b.name, input: b.input })),
    stop_reason: message.stop_reason,
    usage: message.usage,
  };
}

let result;
try {
  if (args.stream) {
    // The SDK's own stream helper assembles the message from the events, as an SDK user's code would.
    const stream = client.messages.stream(body);
    const events = [];
    stream.on('streamEvent', event => events.push(event.type));
    const message = await stream.finalMessage();
    result = { ...describe(message), events };
  } else {
    result = describe(await client.messages.create(body));
  }
} catch (err) {
  if (!(err instanceof Anthropic.APIError)) throw err; // a crash: non-zero exit with the stack on stderr
  result = { ok: false, status: err.status ?? null, message: err.message, type: err.error?.error?.type ?? null };
}
process.stdout.write(JSON.stringify(result) + '\n');
