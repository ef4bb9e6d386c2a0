import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc';
import { RuntimeError } from '../../../extension/src/core/runtimeError';
import { codedData, fromWireError, toResponseError } from '../../../extension/src/worker/workerErrors';

test('an addon error keeps its code, compiler log and CUresult name across the wire', () => {
  const addonErr = Object.assign(new Error('kernel faulted'), {
    code: 'E_KERNEL_FAULT',
    cudaError: 'CUDA_ERROR_ILLEGAL_ADDRESS',
    log: 'ptxas ...',
  });
  const wire = toResponseError(addonErr);
  // What JSON-RPC actually sends: the error object serialised.
  const received = new ResponseError(wire.code, wire.message, JSON.parse(JSON.stringify(wire.toJson())).data);
  const back = fromWireError(received);
  assert.ok(back instanceof RuntimeError);
  assert.deepEqual(back.data, {
    code: 'E_KERNEL_FAULT',
    message: 'kernel faulted',
    cudaError: 'CUDA_ERROR_ILLEGAL_ADDRESS',
    log: 'ptxas ...',
  });
});

test('a RuntimeError passes through unchanged', () => {
  const e = new RuntimeError({ code: 'E_INVALID_SHAPE', message: 'K must be a multiple of 128; got 100' });
  assert.deepEqual(codedData(e), e.data);
});

test('an unexpected exception becomes E_INTERNAL with its stack in log', () => {
  const d = codedData(new TypeError('x is undefined'));
  assert.equal(d.code, 'E_INTERNAL');
  assert.match(d.message, /Unexpected error in the runtime worker: x is undefined/);
  assert.match(d.log ?? '', /TypeError: x is undefined/);
  assert.equal(codedData('boom').code, 'E_INTERNAL');
  assert.equal(codedData({ code: 'ENOENT', message: 'no file' }).code, 'E_INTERNAL', 'Node errno codes are not ours');
});

test('a protocol error without coded data (e.g. method not found) is E_INTERNAL naming the JSON-RPC code', () => {
  const e = fromWireError(new ResponseError(-32601, 'Unhandled method gemm/frob'));
  assert.equal(e.code, 'E_INTERNAL');
  assert.match(e.message, /-32601: Unhandled method gemm\/frob/);
});
