// A message reader that lets through only well-formed JSON-RPC messages. The JSON-RPC library
// trusts the shape of what it reads: a `$/cancelRequest` with `params: null` throws inside it and
// would end the worker. Here every message is checked first; a malformed request is answered with
// E_BAD_ARGUMENT (so its sender does not wait forever), anything else malformed is dropped with a
// log line. Our protocol passes params by name, so params are an object or absent.
import type { Disposable, Event, MessageReader, PartialMessageInfo, DataCallback, Message } from 'vscode-jsonrpc/node';
import type { CodedErrorData } from '../../protocol/worker';

/** JSON-RPC's "invalid params" code; `data` carries our coded error. */
const INVALID_PARAMS = -32602;
/** Longest method name we quote back in a log line or an error. */
const MAX_QUOTED = 80;

export interface RejectedRequest {
  jsonrpc: '2.0';
  id: number | string;
  error: { code: number; message: string; data: CodedErrorData };
}

type Verdict = { ok: true } | { ok: false; why: string; reply?: RejectedRequest };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number | string =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

function kindOf(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function quote(s: string): string {
  return JSON.stringify(s.length > MAX_QUOTED ? `${s.slice(0, MAX_QUOTED)}…` : s);
}

/** Whether the library may see `m`; a malformed request comes with the error response to send instead. */
export function checkMessage(m: unknown): Verdict {
  if (!isObject(m)) return { ok: false, why: `a message must be a JSON object; got ${kindOf(m)}` };
  const { method, id, params } = m;
  const request = typeof method === 'string' && isId(id);
  const reject = (why: string): Verdict => {
    if (!request) return { ok: false, why };
    const data: CodedErrorData = { code: 'E_BAD_ARGUMENT', message: `Malformed request: ${why}.` };
    return {
      ok: false,
      why,
      reply: {
        jsonrpc: '2.0',
        id: id as number | string,
        error: { code: INVALID_PARAMS, message: data.message, data },
      },
    };
  };
  if (m.jsonrpc !== '2.0') return reject(`jsonrpc must be "2.0"; got ${JSON.stringify(m.jsonrpc) ?? 'nothing'}`);
  if (method === undefined) {
    // A response (the worker sends no requests, but the library files responses by id).
    if (!(isId(id) || id === null)) return { ok: false, why: `a response needs an id; got ${kindOf(id)}` };
    if ('result' in m === 'error' in m) return { ok: false, why: 'a response needs exactly one of result and error' };
    if ('error' in m) {
      const e = m.error;
      if (!isObject(e) || !Number.isInteger(e.code) || typeof e.message !== 'string')
        return { ok: false, why: 'a response error needs an integer code and a message' };
    }
    return { ok: true };
  }
  if (typeof method !== 'string' || method === '')
    return { ok: false, why: `method must be a non-empty string; got ${kindOf(method)}` };
  if (id !== undefined && !isId(id))
    return { ok: false, why: `${quote(method)}: id must be a number or a string; got ${kindOf(id)}` };
  if (params !== undefined && !isObject(params))
    return reject(`${quote(method)}: params must be an object; got ${kindOf(params)}`);
  if (method === '$/cancelRequest' && !(isObject(params) && isId(params.id))) {
    return { ok: false, why: '$/cancelRequest needs params { id } naming a request' };
  }
  return { ok: true };
}

/** Wraps a reader: only messages checkMessage accepts reach the connection. */
export class GuardedMessageReader implements MessageReader {
  constructor(
    private readonly inner: MessageReader,
    private readonly reply: (response: RejectedRequest) => void,
    private readonly log: (text: string) => void,
  ) {}

  get onError(): Event<Error> {
    return this.inner.onError;
  }
  get onClose(): Event<void> {
    return this.inner.onClose;
  }
  get onPartialMessage(): Event<PartialMessageInfo> {
    return this.inner.onPartialMessage;
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message: Message) => {
      const verdict = checkMessage(message);
      if (verdict.ok) {
        callback(message);
        return;
      }
      this.log(`ignored a malformed message: ${verdict.why}`);
      if (verdict.reply) this.reply(verdict.reply);
    });
  }

  dispose(): void {
    this.inner.dispose();
  }
}
