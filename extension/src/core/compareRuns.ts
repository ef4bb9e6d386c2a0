// Two runs side by side, shape by shape: the time of run B over run A with the spread of that
// ratio, whether the config changed, and a verdict only where the spreads allow one (the two
// medians differ by more than the two runs' spreads together). Pure: no vscode, no DOM.

import type { BenchRun, ShapeResult } from '../../protocol/worker';
import { identicalConfigs } from './configIdentity';
import { formatConfig, resultLabel } from './runRows';
import { shapeLabel } from './shapes';

export interface ShapeComparison {
  label: string;
  /** Index of the row in run A / run B. */
  a?: number;
  b?: number;
  aUs?: number;
  bUs?: number;
  aSpread?: number;
  bSpread?: number;
  /** B's median over A's (below 1: B is faster). */
  ratio?: number;
  /** The ratio's relative uncertainty: A's spread plus B's (each is (p90 - p10) / median). */
  spread?: number;
  /** "128x128 s5 wg2 c1x1 → 256x128 s3 wg2 c2x1" when the config differs. */
  configChange?: string;
  /** 'faster' / 'slower' only when |ratio - 1| exceeds the spread; 'same' inside it; undefined without figures. */
  verdict?: 'faster' | 'slower' | 'same';
  /** Why there is no verdict, when there is none. */
  why?: string;
}

export interface RunComparison {
  rows: ShapeComparison[];
  /** Geometric mean of the ratios of the shapes both runs timed. */
  geomean?: number;
  counts: { faster: number; slower: number; same: number; unmatched: number };
  /** One sentence for the panel. */
  summary: string;
}

/** What identifies a shape across runs (grouped cases: their kind, groups and sizes). */
export function shapeKey(r: Pick<ShapeResult, 'problem' | 'caseLabel'>): string {
  const p = r.problem;
  return r.caseLabel ?? `${p.kind}:${shapeLabel(p)}:${p.numGroups ?? 1}:${p.expectedM ?? ''}`;
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

export function compareShape(
  a: ShapeResult | undefined,
  b: ShapeResult | undefined,
): Omit<ShapeComparison, 'label' | 'a' | 'b'> {
  const out: Omit<ShapeComparison, 'label' | 'a' | 'b'> = {};
  if (a && b && !identicalConfigs(a.config, b.config))
    out.configChange = `${formatConfig(a.config)} → ${formatConfig(b.config)}`;
  if (!a || !b) return { ...out, why: a ? 'not in run B' : 'not in run A' };
  const ta = a.timing,
    tb = b.timing;
  if (!ta || !tb || a.error || b.error) return { ...out, why: 'not timed in both runs' };
  Object.assign(out, {
    aUs: ta.medianUs,
    bUs: tb.medianUs,
    aSpread: ta.spread,
    bSpread: tb.spread,
    ratio: tb.medianUs / ta.medianUs,
  });
  if (!finite(ta.spread) || !finite(tb.spread)) return { ...out, why: 'a run recorded no spread: no verdict' };
  out.spread = ta.spread + tb.spread;
  const change = Math.abs(Math.log(out.ratio!));
  out.verdict = change > Math.log1p(out.spread) ? (out.ratio! < 1 ? 'faster' : 'slower') : 'same';
  return out;
}

export function compareRuns(a: BenchRun, b: BenchRun): RunComparison {
  const inA = new Map(a.results.map((r, i) => [shapeKey(r), i] as const));
  const inB = new Map(b.results.map((r, i) => [shapeKey(r), i] as const));
  const keys = [...new Set([...inA.keys(), ...inB.keys()])];
  const rows: ShapeComparison[] = keys.map((k) => {
    const ia = inA.get(k),
      ib = inB.get(k);
    const ra = ia === undefined ? undefined : a.results[ia];
    const rb = ib === undefined ? undefined : b.results[ib];
    return { label: resultLabel((rb ?? ra)!), a: ia, b: ib, ...compareShape(ra, rb) };
  });
  const timed = rows.filter((r) => finite(r.ratio));
  const geomean = timed.length ? Math.exp(timed.reduce((s, r) => s + Math.log(r.ratio!), 0) / timed.length) : undefined;
  const counts = {
    faster: rows.filter((r) => r.verdict === 'faster').length,
    slower: rows.filter((r) => r.verdict === 'slower').length,
    same: rows.filter((r) => r.verdict === 'same').length,
    unmatched: rows.filter((r) => r.a === undefined || r.b === undefined).length,
  };
  const changed = rows.filter((r) => r.configChange).length;
  const summary =
    timed.length === 0
      ? 'No shape was timed in both runs: nothing to compare.'
      : `Run B over run A: geometric mean ${geomean!.toFixed(3)}x over ${timed.length} shape${timed.length === 1 ? '' : 's'} timed in both (below 1: B faster). ` +
        `Beyond the spreads: ${counts.faster} faster, ${counts.slower} slower; within them: ${counts.same}` +
        `${timed.length - counts.faster - counts.slower - counts.same ? `; no verdict (no spread recorded): ${timed.length - counts.faster - counts.slower - counts.same}` : ''}.` +
        `${changed ? ` Config changed on ${changed} shape${changed === 1 ? '' : 's'}.` : ''}${counts.unmatched ? ` ${counts.unmatched} shape(s) in one run only.` : ''}`;
  return { rows, geomean, counts, summary };
}
