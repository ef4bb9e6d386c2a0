import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_ROUNDS,
  parseBenchArgs,
  parseConfigText,
  parseShapeVerbArgs,
} from '../../../extension/src/cli/verbArgs';
import { parseAccuracyArgs, parseTimelineArgs } from '../../../extension/src/cli/studyArgs';

function ok<T>(p: { ok: true; value: T } | { ok: false; message: string } | { ok: 'help' }): T {
  if (p.ok !== true) assert.fail(`expected a parse, got ${JSON.stringify(p)}`);
  return p.value;
}
function bad(p: { ok: unknown; message?: string }): string {
  assert.equal(p.ok, false);
  return p.message!;
}

test('bench defaults to the 18 deepseek shapes, timed against the peer', () => {
  const v = ok(parseBenchArgs([]));
  assert.equal(v.problems.length, 18);
  assert.equal(v.shapesLabel, 'deepseek');
  assert.deepEqual(v.options, { timing: true, peer: true, rounds: DEFAULT_ROUNDS, seed: 0 });
  assert.equal(v.jsonFile, undefined);
});

test('bench takes presets and M,N,K shapes after --shapes or bare, in order', () => {
  const v = ok(
    parseBenchArgs(['--shapes', '4096,7168,2048', '1x576x7168', '--json', 'out.json', '--no-peer', '--rounds', '5']),
  );
  assert.deepEqual(
    v.problems.map((p) => [p.m, p.n, p.k]),
    [
      [4096, 7168, 2048],
      [1, 576, 7168],
    ],
  );
  assert.equal(v.shapesLabel, '2 shape(s)');
  assert.equal(v.jsonFile, 'out.json');
  assert.equal(v.options.peer, false);
  assert.equal(v.options.rounds, 5);
  const mixed = ok(parseBenchArgs(['--shapes', 'decode', '8192,8192,8192']));
  assert.equal(mixed.problems.length, 13);
  assert.equal(mixed.shapesLabel, 'decode + 1 shape(s)');
});

test('bench options for the sanitizer and experiments', () => {
  const v = ok(
    parseBenchArgs([
      '128,2112,7168',
      '--check-only',
      '--seed',
      '42',
      '--distribution',
      'outliers',
      '--no-pdl',
      '--calls-per-graph',
      '16',
      '--config',
      'block_m=128,block_n=160',
    ]),
  );
  assert.equal(v.options.timing, false);
  assert.equal(v.options.seed, 42);
  assert.equal(v.options.distribution, 'outliers');
  assert.equal(v.options.pdl, false);
  assert.equal(v.options.callsPerGraph, 16);
  assert.deepEqual(v.config, { blockM: 128, blockN: 160 });
});

test('bench refuses bad input with a message that says what would work', () => {
  assert.match(bad(parseBenchArgs(['--rounds', '0'])), /--rounds must be a whole number from 1 to 10000; got "0"/);
  assert.match(bad(parseBenchArgs(['--rounds'])), /--rounds needs a value/);
  assert.match(bad(parseBenchArgs(['--shapes'])), /--shapes needs deepseek/);
  assert.match(bad(parseBenchArgs(['--json'])), /--json needs a file name/);
  assert.match(
    bad(parseBenchArgs(['--shapes', 'deepsek'])),
    /unknown shape preset "deepsek"; use one of deepseek, decode, prefill, gpu-test/,
  );
  assert.match(bad(parseBenchArgs(['128,2112,7000'])), /K must be a multiple of 128.*nearest valid/);
  assert.match(bad(parseBenchArgs(['--fast'])), /unknown option --fast/);
  assert.match(bad(parseBenchArgs(['--distribution', 'uniform'])), /normal, outliers or tiny/);
  assert.match(bad(parseBenchArgs(['--seed', '-1'])), /--seed must be a whole number/);
  assert.equal(parseBenchArgs(['--json', 'x', '--help']).ok, 'help');
});

test('--config reads key=value pairs in the CLI spelling', () => {
  assert.deepEqual(ok(parseConfigText('block_m=256,block_n=128,stages=3,cluster_m=2')), {
    blockM: 256,
    blockN: 128,
    numStages: 3,
    clusterM: 2,
  });
  assert.deepEqual(ok(parseConfigText('pingpong=1,block_m=64')), { pingpong: 1, blockM: 64 });
  assert.match(bad(parseConfigText('block_q=1')), /unknown key "block_q"; use one of block_m/);
  assert.match(bad(parseConfigText('block_m')), /"block_m" is not key=number/);
  assert.match(bad(parseConfigText('')), /needs key=value pairs/);
});

test('configs and compile take one shape as three numbers or one word', () => {
  assert.deepEqual(ok(parseShapeVerbArgs('configs', ['4096', '7168', '2048'])).problem, {
    kind: 'normal',
    m: 4096,
    n: 7168,
    k: 2048,
  });
  assert.deepEqual(ok(parseShapeVerbArgs('configs', ['4096x7168x2048', '--json'])), {
    problem: { kind: 'normal', m: 4096, n: 7168, k: 2048 },
    json: true,
  });
  const c = ok(parseShapeVerbArgs('compile', ['128', '2112', '7168', '--config', 'block_n=64']));
  assert.deepEqual(c.config, { blockN: 64 });
  assert.deepEqual(ok(parseShapeVerbArgs('compile', ['1,576,7168', '--config=stages=4'])).config, { numStages: 4 });
  assert.match(bad(parseShapeVerbArgs('configs', ['4096', '7168'])), /configs needs one shape: M N K/);
  assert.match(bad(parseShapeVerbArgs('configs', ['1', '2', '3', '--config', 'x=1'])), /unknown option --config/);
  assert.match(bad(parseShapeVerbArgs('compile', ['64', '100', '7168'])), /N must be a multiple of 8/);
});

test('every verb takes a shape both ways: M N K and M,N,K give the same problems', () => {
  const spaced = ok(parseBenchArgs(['4096', '7168', '2048', '--shapes', '64', '2112', '7168']));
  const commas = ok(parseBenchArgs(['4096,7168,2048', '--shapes', '64,2112,7168']));
  assert.deepEqual(spaced.problems, commas.problems);
  assert.deepEqual(
    spaced.problems.map((p) => [p.m, p.n, p.k]),
    [
      [4096, 7168, 2048],
      [64, 2112, 7168],
    ],
  );
  assert.equal(spaced.shapesLabel, '2 shape(s)');
  for (const verb of ['configs', 'compile'] as const) {
    assert.deepEqual(
      ok(parseShapeVerbArgs(verb, ['4096,7168,2048'])).problem,
      ok(parseShapeVerbArgs(verb, ['4096', '7168', '2048'])).problem,
    );
  }
  for (const [args, parse] of [
    [['--trace', 't.json'], parseTimelineArgs],
    [['--json', 'a.json'], parseAccuracyArgs],
  ] as const) {
    const a = ok(parse([...args, '4096', '7168', '2048']) as never) as { problem: unknown };
    const b = ok(parse([...args, '4096,7168,2048']) as never) as { problem: unknown };
    assert.deepEqual(a.problem, b.problem);
  }
});

test('a bad shape is named with its value and coded E_INVALID_SHAPE, never taken for an option', () => {
  for (const r of [
    parseShapeVerbArgs('configs', ['-5', '2112', '7168']),
    parseBenchArgs(['-5', '2112', '7168']),
    parseTimelineArgs(['-5', '2112', '7168', '--trace', 't.json']),
  ]) {
    assert.equal(r.ok, false);
    const f = r as { message: string; code?: string };
    assert.equal(f.code, 'E_INVALID_SHAPE', f.message);
    assert.match(f.message, /M must be a positive whole number; got "-5"/);
    assert.doesNotMatch(f.message, /unknown option/);
  }
  const lone = parseBenchArgs(['4096']) as { ok: false; message: string; code?: string };
  assert.equal(lone.code, 'E_INVALID_SHAPE');
  assert.match(lone.message, /shape "4096": give M N K \(three numbers\) or M,N,K/);
  assert.equal(
    (parseBenchArgs(['--fast']) as { code?: string }).code,
    undefined,
    'an unknown option is printed as E_BAD_ARGUMENT by usageError',
  );
});

test('configs --legal and --top N parse; other verbs refuse them', () => {
  assert.deepEqual(ok(parseShapeVerbArgs('configs', ['4096', '7168', '2048', '--legal', '--top', '10'])), {
    problem: { kind: 'normal', m: 4096, n: 7168, k: 2048 },
    json: false,
    legalOnly: true,
    top: 10,
  });
  assert.match(
    bad(parseShapeVerbArgs('configs', ['4096,7168,2048', '--top', '0'])),
    /--top must be a whole number from 1/,
  );
  assert.match(bad(parseShapeVerbArgs('compile', ['4096,7168,2048', '--top', '3'])), /unknown option --top/);
});
