// Drives one request through the official OpenAI SDK and prints ONE JSON line describing what the SDK saw.
// Used by Turnpike's end-to-end tests: the point is that a real client library accepts what the gateway sends.
//
// Usage: node chat.mjs '{"baseURL":"http://127.0.0.1:5000/v1","apiKey":"k","model":"m","messages":[...],"stream":true}'
// Optional fields: tools, max_tokens, abortAfterChunks, kind ("chat" | "completions"), prompt, headers (sent with every request).
// Exit code 0 for a success or an API error (both are results); non-zero only for a crash.
import OpenAI from 'openai';

const args = JSON.parse(process.argv[2] ?? '{}');
const kind = args.kind ?? 'chat';

const client = new OpenAI({ baseURL: args.baseURL, apiKey: args.apiKey, maxRetries: 0, timeout: 30000, defaultHeaders: args.headers ?? {} });

function requestBody() {
  const body = { model: args.model };
  if (kind === 'completions') {
    body.prompt = args.prompt ?? '';
  } else {
    body.messages = args.messages ?? [];
    if (args.tools !== undefined) body.tools = args.tools;
  }
  if (args.max_tokens !== undefined) body.max_tokens = args.max_tokens;
  if (args.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

function create(body) {
  return kind === 'completions' ? client.completions.create(body) : client.chat.completions.create(body);
}

async function nonStream(body) {
  const raw = await create(body);
  const choice = raw.choices?.[0] ?? null;
  return {
    ok: true,
    id: raw.id,
    model: raw.model,
    created: raw.created,
    content: kind === 'completions' ? (choice?.text ?? null) : (choice?.message?.content ?? null),
    finish_reason: choice?.finish_reason ?? null,
    tool_calls: choice?.message?.tool_calls ?? null,
    usage: raw.usage ?? null,
    raw,
  };
}

async function stream(body) {
  const chunks = await create(body);
  const ids = [];
  const toolCalls = []; // assembled by delta index, as an SDK user would
  let content = '';
  let finishReason = null;
  let usage = null;
  let count = 0;
  let aborted = false;

  for await (const chunk of chunks) {
    count++;
    if (chunk.id !== undefined && !ids.includes(chunk.id)) ids.push(chunk.id);
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (kind === 'completions') {
        if (typeof choice.text === 'string') content += choice.text;
      } else {
        const delta = choice.delta ?? {};
        if (typeof delta.content === 'string') content += delta.content;
        for (const call of delta.tool_calls ?? []) {
          const at = call.index ?? 0;
          toolCalls[at] ??= { id: null, name: null, arguments: '' };
          if (call.id) toolCalls[at].id = call.id;
          if (call.function?.name) toolCalls[at].name = call.function.name;
          if (call.function?.arguments) toolCalls[at].arguments += call.function.arguments;
        }
      }
      if (choice.finish_reason != null) finishReason = choice.finish_reason;
    }
    if (args.abortAfterChunks !== undefined && count >= args.abortAfterChunks) {
      chunks.controller.abort();
      aborted = true;
      break;
    }
  }

  return {
    ok: true,
    chunks: count,
    ids,
    content,
    finish_reason: finishReason,
    tool_calls: toolCalls.filter(Boolean),
    usage,
    done: true,
    aborted,
  };
}

let result;
try {
  const body = requestBody();
  result = args.stream ? await stream(body) : await nonStream(body);
} catch (err) {
  if (!(err instanceof OpenAI.APIError)) throw err; // a crash: non-zero exit with the stack on stderr
  result = {
    ok: false,
    status: err.status ?? null,
    message: err.message,
    type: err.type ?? err.error?.type ?? null,
    code: err.code ?? err.error?.code ?? null,
  };
}
process.stdout.write(JSON.stringify(result) + '\n');
