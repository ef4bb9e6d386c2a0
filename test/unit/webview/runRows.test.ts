import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  columnsFor,
  formatConfig,
  hasTiming,
  ROW_COLUMNS,
  rowToTsv,
  runRows,
  runToCsv,
} from '../../../extension/src/core/runRows';
import { config, makePeersRun, makeRun } from './runData';

/** Minimal RFC 4180 reader, to check that the export round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('runRows', () => {
  it('carries the run figures unchanged and the ceiling percentages from the run ceilings', () => {
    const run = makeRun();
    const [row] = runRows(run);
    assert.equal(row.us, 20);
    assert.equal(row.tflops, run.results[0].timing!.tflops);
    assert.equal(row.pctFp8, (100 * run.results[0].timing!.tflops) / 1500);
    assert.equal(row.pctBandwidth, (100 * run.results[0].timing!.gbps) / 3000);
    // A legacy run's one cuBLASLt column is read as the cuBLASLt peer.
    assert.equal(row.peers.cublaslt?.us, 25);
    assert.equal(row.peers.cublaslt?.ratio, 1.25);
    assert.equal(row.peers.deepgemm, undefined);
    assert.equal(row.calcDiff, 2.5e-4);
    assert.equal(row.config, '64x128 s8 wg1 c1x2');
  });
  it('leaves timing and percentages empty when absent, keeps skip reasons and errors', () => {
    const run = makeRun();
    const rows = runRows(run);
    assert.equal(rows[1].us, undefined);
    assert.equal(rows[1].pctFp8, undefined);
    assert.equal(rows[1].spillBytes, 24);
    assert.match(rows[1].peers.cublaslt?.skipped ?? '', /too old/);
    assert.match(rows[2].error ?? '', /^E_COMPILE: /);
    assert.equal(hasTiming(rows), true);
    assert.equal(hasTiming(rows.slice(1)), false);
  });
  it('no ceilings → no percentages', () => {
    const run = { ...makeRun(), ceilings: undefined };
    assert.equal(runRows(run)[0].pctFp8, undefined);
  });
  it('formats configs', () => {
    assert.equal(
      formatConfig({
        ...config,
        blockM: 128,
        blockN: 256,
        numStages: 4,
        numMathWarpgroups: 2,
        clusterM: 2,
        clusterN: 1,
      }),
      '128x256 s4 wg2 c2x1',
    );
  });
});

describe('runRows with peers', () => {
  it('gives each peer its own cell: time and ratio, or why it was skipped', () => {
    const run = makePeersRun();
    const rows = runRows(run);
    assert.equal(rows[0].peers.deepgemm?.us, run.results[0].peers![1].timing!.medianUs);
    assert.equal(rows[0].peers.deepgemm?.ratio, 0.9);
    assert.equal(rows[0].peers.torch?.ratio, 1.1);
    assert.match(rows[1].peers.deepgemm?.skipped ?? '', /N % 64/);
    assert.equal(rows[1].peers.torch, undefined);
    assert.deepEqual(rows[2].peers, {});
  });
});

describe('runToCsv', () => {
  it('puts one time/ratio column pair per peer of the run, in a fixed order, between timing and accuracy', () => {
    const run = makePeersRun();
    const rows = parseCsv(runToCsv(run));
    const header = rows[0];
    const at = header.indexOf('% bandwidth ceiling');
    assert.deepEqual(header.slice(at + 1, at + 7), [
      'cuBLASLt us',
      'ratio vs cuBLASLt',
      'DeepGEMM us',
      'ratio vs DeepGEMM',
      'torch._scaled_mm us',
      'ratio vs torch._scaled_mm',
    ]);
    assert.equal(header[at + 7], 'calc_diff');
    const col = (h: string) => header.indexOf(h);
    assert.equal(Number(rows[1][col('DeepGEMM us')]), run.results[0].peers![1].timing!.medianUs);
    assert.equal(rows[1][col('ratio vs DeepGEMM')], '0.9');
    assert.equal(rows[2][col('DeepGEMM us')], 'skipped: DeepGEMM needs N % 64 == 0');
    assert.equal(rows[2][col('ratio vs DeepGEMM')], '');
    assert.ok(rows.every((r) => r.length === header.length));
    // A run without peers has no peer columns at all.
    assert.deepEqual(
      columnsFor({ results: [{ ...run.results[2] }] }).map((c) => c.header),
      ROW_COLUMNS.map((c) => c.header),
    );
  });
  it('writes a header and one line per shape that round-trips with full precision', () => {
    const run = makeRun();
    const csv = runToCsv(run);
    assert.ok(csv.endsWith('\r\n'));
    const rows = parseCsv(csv);
    assert.equal(rows.length, 4);
    assert.deepEqual(
      rows[0],
      columnsFor(run).map((c) => c.header),
    );
    assert.ok(rows[0].includes('cuBLASLt us'), 'the legacy cuBLASLt column is kept as a peer');
    const col = (h: string) => rows[0].indexOf(h);
    assert.equal(Number(rows[1][col('TFLOPS')]), run.results[0].timing!.tflops);
    assert.equal(rows[1][col('M')], '64');
    assert.equal(rows[2][col('us')], '');
    assert.equal(rows[3][col('error')], 'E_COMPILE: ptxas failed,\nsee log');
    assert.ok(rows.every((r) => r.length === rows[0].length));
  });
});

describe('rowToTsv', () => {
  it('gives a header line and a value line without tabs or newlines inside cells', () => {
    const run = makePeersRun();
    const rows = runRows(run);
    const columns = columnsFor(run);
    const lines = rowToTsv(rows[2], columns).trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.equal(lines[0].split('\t').length, columns.length);
    assert.equal(lines[1].split('\t').length, columns.length);
    assert.match(lines[1], /E_COMPILE: ptxas failed, see log/);
  });
});
