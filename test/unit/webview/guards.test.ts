import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkWebviewMessage } from '../../../extension/src/core/webviewGuards';

const req = (method: string, params: unknown, id: unknown = 1) => ({ kind: 'request', id, method, params });

describe('checkWebviewMessage accepts what the protocol allows', () => {
  const valid: [string, unknown, 'results' | 'explorer' | 'registers'][] = [
    ['ready', { kind: 'notification', method: 'ready', params: { view: 'results' } }, 'results'],
    ['ready (registers)', { kind: 'notification', method: 'ready', params: { view: 'registers' } }, 'registers'],
    [
      'log',
      { kind: 'notification', method: 'log/didWrite', params: { level: 'warn', text: 'chart too small' } },
      'explorer',
    ],
    ['row/copy', req('row/copy', { index: 0 }), 'results'],
    ['registers/show', req('registers/show', { indices: [0, 2] }), 'results'],
    ['run/export csv', req('run/export', { format: 'csv' }), 'results'],
    ['configs/list', req('configs/list', { shape: '64,2112,7168', kind: 'normal', follow: false }), 'explorer'],
    [
      'configs/list bf16-kgrouped',
      req('configs/list', { shape: '4,4096,7168,8192', kind: 'bf16-kgrouped', follow: false }),
      'explorer',
    ],
    [
      'configs/list paged-mqa-logits',
      req('configs/list', { shape: '256,2,64,128,8192', kind: 'paged-mqa-logits', follow: false }),
      'explorer',
    ],
    ['configs/compile', req('configs/compile', { indices: [1, 2, 3] }), 'explorer'],
    ['configs/time', req('configs/time', { indices: [4] }, 99), 'explorer'],
    ['override/keep', req('override/keep', { index: 3 }), 'explorer'],
    ['override/keep clear', req('override/keep', { index: -1 }), 'explorer'],
    ['job/cancel', req('job/cancel', {}), 'explorer'],
    ['configs/tune', req('configs/tune', {}), 'explorer'],
    ['run/tune', req('run/tune', {}), 'results'],
    ['explorer/openWide', req('explorer/openWide', {}), 'explorer'],
    ['run/compare', req('run/compare', { clear: false }), 'results'],
    ['run/compare clear', req('run/compare', { clear: true }), 'results'],
    ['file/open local', req('file/open', { uri: 'file:///home/me/runs/bench.json' }), 'results'],
    ['file/open remote', req('file/open', { uri: 'vscode-remote://ssh-remote%2Bgpu/home/me/bench.json' }), 'explorer'],
  ];
  for (const [name, msg, view] of valid) {
    it(name, () => {
      const r = checkWebviewMessage(msg, view);
      assert.equal(r.ok, true, r.ok ? '' : r.reason);
    });
  }
});

describe('checkWebviewMessage rejects, saying why', () => {
  const invalid: [string, unknown, 'results' | 'explorer' | 'registers', RegExp][] = [
    ['not an object', 'ready', 'results', /not an object/],
    ['array', [], 'results', /not an object/],
    ['no method', { kind: 'request', id: 1, params: {} }, 'results', /method must be a string/],
    ['params missing', { kind: 'notification', method: 'ready' }, 'results', /params must be an object/],
    ['unknown kind', { kind: 'response', id: 1, method: 'row/copy', params: { index: 0 } }, 'results', /kind must be/],
    ['unknown request', req('shell/exec', { cmd: 'rm -rf /' }), 'explorer', /unknown request/],
    ['unknown notification', { kind: 'notification', method: 'init', params: {} }, 'results', /unknown notification/],
    [
      'ready for another view',
      { kind: 'notification', method: 'ready', params: { view: 'explorer' } },
      'results',
      /this view/,
    ],
    ['method not allowed for the view', req('configs/compile', { indices: [0] }), 'results', /may not send/],
    ['openWide from the results panel', req('explorer/openWide', {}), 'results', /may not send/],
    ['run/compare from the explorer', req('run/compare', { clear: false }), 'explorer', /may not send/],
    ['configs/tune from the results panel', req('configs/tune', {}), 'results', /may not send/],
    ['run/tune from the explorer', req('run/tune', {}), 'explorer', /may not send/],
    ['run/tune with a shape', req('run/tune', { shape: '64,2112,7168' }), 'results', /unexpected field/],
    ['run/compare without a boolean', req('run/compare', { clear: 'yes' }), 'results', /clear must be a boolean/],
    ['openWide with extra params', req('explorer/openWide', { path: '/etc' }), 'explorer', /path/],
    [
      'file/open of a web link',
      req('file/open', { uri: 'https://example.com/x.json' }),
      'results',
      /file: or vscode-remote:/,
    ],
    [
      'file/open of a command link',
      req('file/open', { uri: 'command:fp8lab.runBenchmark' }),
      'results',
      /file: or vscode-remote:/,
    ],
    ['file/open of a non-JSON file', req('file/open', { uri: 'file:///etc/passwd' }), 'explorer', /\.json file/],
    ['registers view sends requests', req('row/copy', { index: 0 }), 'registers', /may not send/],
    ['negative id', req('row/copy', { index: 0 }, -1), 'results', /id must be/],
    ['string id', req('row/copy', { index: 0 }, '1'), 'results', /id must be/],
    ['fractional index', req('row/copy', { index: 1.5 }), 'results', /index must be/],
    ['extra param', req('row/copy', { index: 0, path: '/etc/passwd' }), 'results', /unexpected field/],
    ['extra envelope field', { ...req('row/copy', { index: 0 }), extra: 1 }, 'results', /envelope/],
    ['empty indices', req('configs/compile', { indices: [] }), 'explorer', /must not be empty/],
    ['indices not numbers', req('configs/time', { indices: ['0'] }), 'explorer', /non-negative integers/],
    [
      'too many indices',
      req('configs/time', { indices: Array.from({ length: 5000 }, (_, i) => i) }),
      'explorer',
      /at most/,
    ],
    ['bad export format', req('run/export', { format: 'xlsx' }), 'results', /format must be/],
    [
      'bad kernel kind',
      req('configs/list', { shape: '1,2,3', kind: 'sparse', follow: false }),
      'explorer',
      /kind must be one of normal, .*bf16-kgrouped, mqa-logits, paged-mqa-logits/,
    ],
    [
      'an MQA kind spelt otherwise',
      req('configs/list', { shape: '2048,8192,64,128', kind: 'mqa_logits', follow: false }),
      'explorer',
      /kind must be one of/,
    ],
    [
      'shape too long',
      req('configs/list', { shape: 'x'.repeat(500), kind: 'normal', follow: false }),
      'explorer',
      /at most 200/,
    ],
    [
      'follow not boolean',
      req('configs/list', { shape: '1,2,3', kind: 'normal', follow: 'yes' }),
      'explorer',
      /follow must be a boolean/,
    ],
    ['override below -1', req('override/keep', { index: -2 }), 'explorer', /candidate index/],
    ['cancel with params', req('job/cancel', { all: true }), 'explorer', /unexpected field/],
    [
      'log level',
      { kind: 'notification', method: 'log/didWrite', params: { level: 'fatal', text: 'x' } },
      'results',
      /level must be/,
    ],
    [
      'log text too long',
      { kind: 'notification', method: 'log/didWrite', params: { level: 'info', text: 'x'.repeat(5000) } },
      'results',
      /at most 4000/,
    ],
  ];
  for (const [name, msg, view, why] of invalid) {
    it(name, () => {
      const r = checkWebviewMessage(msg, view);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, why);
    });
  }
});

describe('checkWebviewMessage with names inherited from Object.prototype', () => {
  const names = [
    'hasOwnProperty',
    '__proto__',
    'constructor',
    'toString',
    'valueOf',
    'isPrototypeOf',
    '__defineGetter__',
    'x'.repeat(10_000),
  ];
  it('rejects each as unknown, as request or notification, from every view, without throwing', () => {
    for (const view of [
      'results',
      'explorer',
      'registers',
      'timeline',
      'accuracy',
      '__proto__',
      'constructor',
    ] as const) {
      for (const method of names) {
        for (const raw of [
          { kind: 'request', id: 1, method, params: {} },
          { kind: 'notification', method, params: {} },
          JSON.parse(`{"kind":"request","id":2,"method":${JSON.stringify(method)},"params":{"__proto__":{"index":1}}}`),
        ]) {
          const r = checkWebviewMessage(raw, view as never);
          assert.equal(r.ok, false, `${view} ${method}`);
          if (!r.ok) {
            assert.ok(r.reason.length < 200, `a short reason: ${r.reason.length} characters`);
            if (['results', 'explorer', 'registers', 'timeline', 'accuracy'].includes(view))
              assert.match(r.reason, /unknown (request|notification) '/);
          }
        }
      }
    }
  });
  it('a known method from a view name that is not ours is refused, not thrown', () => {
    const r = checkWebviewMessage(
      { kind: 'request', id: 1, method: 'row/copy', params: { index: 0 } },
      'hasOwnProperty' as never,
    );
    assert.deepEqual(r, { ok: false, reason: "the hasOwnProperty view may not send 'row/copy'" });
  });
});
