// The bundled language server (extension/dist/server.js) as a real process over IPC, driven the way
// VS Code's client drives it: initialize, hover inside an asm string, facts notification then a
// hover on kNumStages, save of a broken kernel -> nvcc diagnostics on the header, save of a good
// kernel -> register code lens, and nothing compiled while untrusted.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { KernelFacts, LanguageServerInitOptions } from '../../../extension/protocol/languageServer';
import { configCost } from '../../../extension/src/core/facts/derive';
import { completeConfig } from '../../../extension/src/core/kernelRules';

const root = join(__dirname, '..', '..', '..', '..');
const serverJs = join(root, 'extension/dist/server.js');
const NVCC = process.env.FP8LAB_NVCC ?? '/usr/local/cuda/bin/nvcc';
const hasNvcc = existsSync(NVCC);

interface Server {
  child: ChildProcess;
  conn: MessageConnection;
  diagnostics: Map<string, any[]>;
  compiles: any[];
  waiters: Array<() => void>;
}

function startServer(init: LanguageServerInitOptions): Promise<Server> {
  const child = fork(serverJs, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const s: Server = { child, conn, diagnostics: new Map(), compiles: [], waiters: [] };
  const wake = () => {
    for (const w of s.waiters.splice(0)) w();
  };
  conn.onNotification('textDocument/publishDiagnostics', (p: any) => {
    s.diagnostics.set(p.uri, p.diagnostics);
    wake();
  });
  conn.onNotification('fp8lab/didCompile', (p: any) => {
    s.compiles.push(p);
    wake();
  });
  conn.onNotification('window/logMessage', () => {});
  conn.onRequest('workspace/codeLens/refresh', () => null);
  conn.listen();
  return conn
    .sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      initializationOptions: init,
      capabilities: {
        workspace: { codeLens: { refreshSupport: true } },
        textDocument: { hover: { contentFormat: ['markdown'] } },
      },
    })
    .then(async () => {
      await conn.sendNotification('initialized', {});
      return s;
    });
}

/** Resolves when `pred` holds, re-checking after each notification; rejects after `ms`. */
function until(s: Server, pred: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${what}; compile events: ${JSON.stringify(s.compiles)}`)),
      ms,
    );
    const check = () => {
      if (pred()) {
        clearTimeout(timer);
        resolve();
      } else s.waiters.push(check);
    };
    check();
  });
}

async function stop(s: Server) {
  try {
    await s.conn.sendRequest('shutdown');
    await s.conn.sendNotification('exit');
  } catch {
    /* already gone */
  }
  s.conn.dispose();
  s.child.kill();
}

let work: string;
let kernels: string;
before(() => {
  assert.ok(existsSync(serverJs), 'build first: node extension/build.mjs');
  work = mkdtempSync(join(tmpdir(), 'fp8lab-lsp-e2e-'));
  kernels = join(work, 'kernels');
  mkdirSync(join(kernels, 'include/fixture'), { recursive: true });
  copyFileSync(
    join(root, 'test/fixtures/server/broken/include/fixture/broken_body.cuh'),
    join(kernels, 'include/fixture/broken_body.cuh'),
  );
  copyFileSync(join(root, 'test/fixtures/server/broken/instantiation.cu'), join(kernels, 'broken.cu'));
  writeFileSync(
    join(kernels, 'ok.cu'),
    [
      '// a kernel that compiles: the lens above it shows ptxas registers',
      'extern "C" __global__ void __launch_bounds__(128, 1) ok_kernel(float* out, const float* in) {',
      '  out[threadIdx.x] = in[threadIdx.x] * 2.0f;',
      '}',
      '',
    ].join('\n'),
  );
});
after(() => rmSync(work, { recursive: true, force: true }));

const open = (s: Server, file: string) =>
  s.conn.sendNotification('textDocument/didOpen', {
    textDocument: {
      uri: pathToFileURL(file).toString(),
      languageId: 'cuda-cpp',
      version: 1,
      text: readFileSync(file, 'utf8'),
    },
  });

test('hover in a real kernel header over IPC, then live facts for kNumStages', async () => {
  const s = await startServer({ trusted: false, cudaHome: '', nvccPath: '', kernelsDir: join(root, 'kernels') });
  try {
    const file = join(root, 'kernels/include/fp8lab/ptx/wgmma_fp8.cuh');
    const text = readFileSync(file, 'utf8');
    await open(s, file);
    const offset = text.indexOf('wgmma.mma_async.sync.aligned.m64n128k32') + 2;
    const before = text.slice(0, offset).split('\n');
    const hover: any = await s.conn.sendRequest('textDocument/hover', {
      textDocument: { uri: pathToFileURL(file).toString() },
      position: { line: before.length - 1, character: before[before.length - 1].length },
    });
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /M=64, N=128, K=32/);

    const impl = join(root, 'kernels/include/fp8lab/impls/sm90_fp8_gemm_1d2d.cuh');
    const implText = readFileSync(impl, 'utf8');
    await open(s, impl);
    const pos = (() => {
      const o = implText.indexOf('uint32_t kNumStages') + 12;
      const b = implText.slice(0, o).split('\n');
      return { line: b.length - 1, character: b[b.length - 1].length };
    })();
    const noFacts: any = await s.conn.sendRequest('textDocument/hover', {
      textDocument: { uri: pathToFileURL(impl).toString() },
      position: pos,
    });
    assert.match(noFacts.contents.value, /No run recorded yet/);
    const problem = { kind: 'normal' as const, m: 128, n: 7168, k: 2048 };
    const config = completeConfig({ blockM: 64, blockN: 112, clusterM: 1, clusterN: 1, numSms: 132 }, problem);
    const facts: KernelFacts = {
      version: 1,
      updatedAt: new Date().toISOString(),
      runLabel: 'test run',
      configs: [{ problem, config, cost: configCost(problem, config) }],
      compiles: [],
    };
    await s.conn.sendNotification('fp8lab/didUpdateFacts', facts);
    const withFacts: any = await s.conn.sendRequest('textDocument/hover', {
      textDocument: { uri: pathToFileURL(impl).toString() },
      position: pos,
    });
    assert.match(
      withFacts.contents.value,
      new RegExp(`\\| 128×7168×2048 normal \\| \\*\\*${config.numStages}\\*\\* \\|`),
    );
  } finally {
    await stop(s);
  }
});

test('untrusted: saving a kernel compiles nothing', async () => {
  const s = await startServer({ trusted: false, cudaHome: '', nvccPath: NVCC, kernelsDir: kernels });
  try {
    const file = join(kernels, 'broken.cu');
    await open(s, file);
    await s.conn.sendNotification('textDocument/didSave', { textDocument: { uri: pathToFileURL(file).toString() } });
    await until(s, () => s.compiles.length > 0, 10_000, 'the skipped notice');
    assert.equal(s.compiles[0].state, 'skipped');
    assert.match(s.compiles[0].message, /not trusted/);
    assert.equal(s.diagnostics.size, 0);
  } finally {
    await stop(s);
  }
});

test(
  'save: debounced compile with real nvcc -> diagnostics in the header; good kernel -> register lens',
  { skip: hasNvcc ? false : `nvcc not found at ${NVCC}`, timeout: 300_000 },
  async () => {
    const s = await startServer({ trusted: true, cudaHome: '', nvccPath: NVCC, kernelsDir: kernels, debounceMs: 100 });
    try {
      const broken = join(kernels, 'broken.cu');
      const header = join(kernels, 'include/fixture/broken_body.cuh');
      await open(s, broken);
      // two quick saves: the first is cancelled (debounced away), one compile runs
      await s.conn.sendNotification('textDocument/didSave', {
        textDocument: { uri: pathToFileURL(broken).toString() },
      });
      await s.conn.sendNotification('textDocument/didSave', {
        textDocument: { uri: pathToFileURL(broken).toString() },
      });
      const headerUri = pathToFileURL(header).toString();
      await until(s, () => s.compiles.some((c) => c.state === 'failed'), 120_000, 'the failed compile');
      assert.equal(s.compiles.filter((c) => c.state === 'started').length, 1, 'debounce: one compile for two saves');
      const ds = s.diagnostics.get(headerUri) ?? [];
      const undef = ds.find((d) => d.message.includes('undeclared_scale'));
      assert.ok(undef, `diagnostics: ${JSON.stringify([...s.diagnostics])}`);
      assert.deepEqual(undef.range, { start: { line: 8, character: 21 }, end: { line: 8, character: 37 } });
      assert.equal(undef.severity, 1);
      assert.equal(undef.source, 'nvcc');
      const sa = ds.find((d) => d.message.includes('static assertion failed'));
      assert.equal(sa.range.start.line, 10);
      assert.equal(sa.relatedInformation[0].location.uri, pathToFileURL(broken).toString());
      assert.equal(sa.relatedInformation[0].location.range.start.line, 4);

      const ok = join(kernels, 'ok.cu');
      await open(s, ok);
      await s.conn.sendNotification('textDocument/didSave', { textDocument: { uri: pathToFileURL(ok).toString() } });
      await until(s, () => s.compiles.some((c) => c.state === 'finished'), 120_000, 'the good compile');
      // the broken file's diagnostics are cleared by the next compile
      assert.deepEqual(s.diagnostics.get(headerUri), []);
      const lenses: any[] = await s.conn.sendRequest('textDocument/codeLens', {
        textDocument: { uri: pathToFileURL(ok).toString() },
      });
      assert.equal(lenses.length, 1);
      assert.equal(lenses[0].range.start.line, 1);
      assert.match(lenses[0].command.title, /^ptxas: \d+ registers · 0 spills · 0 B stack \(1 instantiation\)$/);
      const finished = s.compiles.find((c) => c.state === 'finished');
      const regs = Number(/ok_kernel: (\d+) registers/.exec(finished.message)?.[1]);
      assert.ok(
        regs > 0 && lenses[0].command.title.includes(`${regs} registers`),
        'the lens shows what ptxas reported',
      );
    } finally {
      await stop(s);
    }
  },
);

test(
  'save of a real kernel header compiles the representative GEMM instantiation; the lens sits above its body',
  { skip: hasNvcc ? false : `nvcc not found at ${NVCC}`, timeout: 600_000 },
  async () => {
    // a copy of the real kernels/ tree, as a user's workspace would hold it
    const ws = join(work, 'ws');
    cpSync(join(root, 'kernels'), join(ws, 'kernels'), { recursive: true });
    const s = await startServer({
      trusted: true,
      cudaHome: '',
      nvccPath: NVCC,
      kernelsDir: join(ws, 'kernels'),
      debounceMs: 50,
    });
    try {
      const header = join(ws, 'kernels/include/fp8lab/ptx/wgmma.cuh');
      const impl = join(ws, 'kernels/include/fp8lab/impls/sm90_fp8_gemm_1d2d.cuh');
      await open(s, header);
      await open(s, impl);
      await s.conn.sendNotification('textDocument/didSave', {
        textDocument: { uri: pathToFileURL(header).toString() },
      });
      await until(
        s,
        () => s.compiles.some((c) => c.state === 'finished' || c.state === 'failed'),
        540_000,
        'the GEMM compile',
      );
      const done = s.compiles.find((c) => c.state === 'finished' || c.state === 'failed');
      assert.equal(done.state, 'finished', done.message);
      assert.match(done.instantiations[0], /^fp8lab_sm90_fp8_gemm_1d2d_normal_bm128_bn128_/);
      const lenses: any[] = await s.conn.sendRequest('textDocument/codeLens', {
        textDocument: { uri: pathToFileURL(impl).toString() },
      });
      const implText = readFileSync(impl, 'utf8');
      const bodyLine =
        implText
          .slice(0, implText.lastIndexOf('template <', implText.indexOf('void sm90_fp8_gemm_1d2d_impl(')))
          .split('\n').length - 1;
      const lens = lenses.find((l) => l.range.start.line === bodyLine);
      assert.ok(lens, `lenses: ${JSON.stringify(lenses)}; expected one on line ${bodyLine}`);
      assert.match(lens.command.title, /^ptxas: \d+ registers · 0 spills · 0 B stack \(1 instantiation\)$/);
    } finally {
      await stop(s);
    }
  },
);
