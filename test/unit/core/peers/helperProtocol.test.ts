// The worker's side of the Python peer helper's protocol: lines checked, answers checked, the
// interpreter and argument vector chosen, which peers a run wants, and the one line said for a peer
// that cannot run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  availabilityFromHello,
  checkHello,
  checkPrepare,
  checkReplay,
  helperArgv,
  helperEnv,
  helperFailure,
  missingPeerLines,
  parseHelperLine,
  parsePeerList,
  resolvePython,
  wantedPeers,
  type HelloResult,
} from '../../../../extension/src/core/peers/helperProtocol';

test('helper lines: answers by id, errors with code and message, anything else named as not the protocol', () => {
  assert.deepEqual(parseHelperLine('{"id": 3, "result": {"perCallUs": 9.5}}'), {
    ok: true,
    answer: { id: 3, result: { perCallUs: 9.5 } },
  });
  assert.deepEqual(parseHelperLine('{"id": null, "error": {"code": "E_BAD_REQUEST", "message": "not a JSON line"}}'), {
    ok: true,
    answer: { id: null, error: { code: 'E_BAD_REQUEST', message: 'not a JSON line' } },
  });
  for (const junk of [
    'GemmDesc(m=4096): GemmConfig(...)',
    '[1, 2]',
    '{"result": 1}',
    '{"id": "7", "result": 1}',
    '{"id": 1, "error": "boom"}',
    '{"id": 1}',
    'null',
  ]) {
    const parsed = parseHelperLine(junk);
    assert.equal(parsed.ok, false, junk);
  }
});

const hello: HelloResult = {
  protocol: 1,
  python: '/usr/bin/python3 (Python 3.12.3)',
  torch: '2.11.0',
  cuda: '13.0',
  peers: {
    deepgemm: { available: false, reason: 'cannot import deep_gemm: install DeepGEMM' },
    torch: { available: true, version: '2.11.0' },
  },
};

test('hello is checked field by field and says which peers can run, each missing one with its reason', () => {
  assert.deepEqual(checkHello(hello), hello);
  assert.throws(() => checkHello({ ...hello, protocol: 2 }), /speaks protocol 2/);
  assert.throws(
    () => checkHello({ protocol: 1, python: 'x', peers: { torch: { available: true } } }),
    /nothing about deepgemm/,
  );
  assert.throws(() => checkHello('hello'), /without protocol/);
  const peers = availabilityFromHello(hello, ['cublaslt', 'deepgemm', 'torch']);
  assert.deepEqual(peers, [
    { id: 'deepgemm', name: 'DeepGEMM', available: false, reason: 'cannot import deep_gemm: install DeepGEMM' },
    { id: 'torch', name: 'torch._scaled_mm (PyTorch 2.11.0)', available: true, version: '2.11.0' },
  ]);
  assert.deepEqual(availabilityFromHello(hello, ['cublaslt']), []);
  assert.deepEqual(missingPeerLines(peers), ['DeepGEMM column skipped: cannot import deep_gemm: install DeepGEMM']);
});

test('prepare and replay answers are checked before they are used', () => {
  const ok = {
    handle: 1,
    name: 'DeepGEMM 2.6.1',
    accuracy: { calcDiff: 1.4e-6, maxAbsError: 0.5, maxRelError: 3, unwritten: 0, passed: true },
    sets: 2,
    callsPerGraph: 20,
  };
  assert.deepEqual(checkPrepare(ok), ok);
  assert.throws(() => checkPrepare({ ...ok, handle: 'one' }), /without handle/);
  assert.throws(() => checkPrepare({ ...ok, accuracy: { calcDiff: null, passed: true } }), /without handle/);
  assert.equal(checkReplay({ perCallUs: 94.1 }), 94.1);
  for (const bad of [{ perCallUs: 0 }, { perCallUs: -1 }, { perCallUs: 'fast' }, {}, null])
    assert.throws(() => checkReplay(bad), /answered replay/);
});

test('the interpreter: the setting, then FP8LAB_PYTHON, then python3; an argument vector, never a shell string', () => {
  assert.deepEqual(resolvePython('/opt/venv/bin/python', { FP8LAB_PYTHON: '/x' }), {
    command: '/opt/venv/bin/python',
    source: 'fp8lab.pythonPath',
  });
  assert.deepEqual(resolvePython('  ', { FP8LAB_PYTHON: '/x/python' }), {
    command: '/x/python',
    source: 'FP8LAB_PYTHON',
  });
  assert.deepEqual(resolvePython(undefined, {}), { command: 'python3', source: 'python3 on PATH' });
  assert.deepEqual(helperArgv('/p y/python; rm -rf ~', '/ext/peer_helper.py'), [
    '/p y/python; rm -rf ~',
    ['-u', '/ext/peer_helper.py'],
  ]);
  const env = helperEnv({ PATH: '/bin', GONE: undefined, DG_PRINT_CONFIGS: '0' });
  assert.deepEqual(env, { PATH: '/bin', DG_PRINT_CONFIGS: '1', PYTHONUNBUFFERED: '1' });
});

test('which peers a run wants: every one by default, a list, or none', () => {
  assert.deepEqual(wantedPeers({ peer: true }), ['cublaslt', 'deepgemm', 'torch']);
  assert.deepEqual(wantedPeers({ peer: false, peers: ['deepgemm'] }), []);
  assert.deepEqual(wantedPeers({ peer: true, peers: ['torch', 'cublaslt'] }), ['cublaslt', 'torch']);
  assert.deepEqual(parsePeerList('deepgemm, cublaslt'), ['cublaslt', 'deepgemm']);
  assert.deepEqual(parsePeerList('all'), ['cublaslt', 'deepgemm', 'torch']);
  assert.deepEqual(parsePeerList('none'), []);
  assert.throws(
    () => parsePeerList('cutlass'),
    /--peers takes a comma-separated list of cublaslt, deepgemm, torch \(or all, none\); got 'cutlass'/,
  );
  assert.throws(() => parsePeerList(''), /--peers takes/);
});

test('a helper failure is one line: which Python, what happened, its last words, and the fix', () => {
  const line = helperFailure(
    { command: '/opt/py', source: 'FP8LAB_PYTHON' },
    'exited (code 3)',
    'Traceback (most recent call last):\n  File "x"\nRuntimeError: CUDA error: out of memory\n',
  );
  assert.equal(
    line,
    'the Python peer helper (/opt/py, from FP8LAB_PYTHON) exited (code 3):   File "x" | RuntimeError: CUDA error: out of memory; ' +
      'set fp8lab.pythonPath or FP8LAB_PYTHON to a Python 3 with torch (and deep_gemm for the DeepGEMM column)',
  );
  assert.doesNotMatch(line, /\n/);
});
