// Raw trace buffer -> spans per SM x role on one time axis. Pure.
//
// Time: each record has the SM's clock64 (fine, SM-local); anchor records (the slice header and,
// from format version 2, TileBegin / TileEnd; in version 1 every record) also have %globaltimer
// (coarse, shared by all SMs). The SM clock rate is estimated from all slices together (Σ cycles /
// Σ ns from each slice's start to its last anchor); each slice's offset on the global axis is the
// tightest lower bound its anchors give (a reading g means the true time is ≥ g, since the timer
// ticks down to it): offset = max over anchors (g − c / rate). So every event, anchor or not, is
// placed by its clock on the line through its slice's anchors; positions inside a slice have
// clock64 resolution, and slices are aligned to within one timer tick. One rate for all slices
// rather than a rate per slice: Hopper's SMs share one clock, and a short slice with few anchors
// would get a rate off by a tick over its length.

import {
  TRACE_NO_STAGE,
  TRACE_PHASES,
  TRACE_ROLES,
  TraceEventKind as K,
  type TraceData,
  type TracePhase,
  type TraceRow,
} from '../../../protocol/trace';
import {
  readRecords,
  readSlices,
  TraceFormatError,
  type SliceRecords,
  type TraceGeometry,
  type TraceSlice,
} from './format';

export interface DecodeOptions extends TraceGeometry {
  /** Ring size when known (else the largest stage seen + 1). */
  numStages?: number;
  /** SM clock (kHz, from the device report): used only when the timer never advanced in the trace. */
  clockRateKHz?: number;
  /** Ping-pong kernel (the BF16 GEMM's `pingpong`): each math warpgroup runs tiles of its own, so a
   *  stage fill is released by one warpgroup, not by every one. */
  pingpong?: boolean;
}

const PHASE = Object.fromEntries(TRACE_PHASES.map((p, i) => [p, i])) as Record<TracePhase, number>;

/** Where the time of a begin/end kind pair goes. */
const PAIRS: ReadonlyArray<[begin: K, end: K, phase: TracePhase]> = [
  [K.EmptyWaitBegin, K.EmptyWaitEnd, 'wait-empty'],
  [K.EmptyWaitEnd, K.TmaIssue, 'tma-issue'],
  [K.FullWaitBegin, K.FullWaitEnd, 'wait-full'],
  [K.WgmmaIssue, K.WgmmaDone, 'wgmma'],
  [K.PromoteBegin, K.PromoteEnd, 'promote'],
  [K.EpilogueBegin, K.EpilogueEnd, 'epilogue'],
];
const OPENS: number[][] = []; // kind -> pair indices it opens
const CLOSES: number[][] = []; // kind -> pair indices it closes
for (let k = 0; k < 256; k++) {
  OPENS.push([]);
  CLOSES.push([]);
}
PAIRS.forEach(([b, e], i) => {
  OPENS[b].push(i);
  CLOSES[e].push(i);
});

export function decodeTrace(bytes: Uint8Array, opts: DecodeOptions): TraceData {
  const slices = readSlices(bytes, opts);
  if (slices.length === 0)
    throw new TraceFormatError(
      'the trace buffer holds no recorded slice (every magic is 0): was the instrumented kernel (FP8LAB_TRACE=1) launched with args.trace set?',
    );
  const recs = slices.map((s) => readRecords(bytes, s));

  // --- clock rate and per-slice offsets ---------------------------------------------------------
  let sumC = 0,
    sumG = 0;
  recs.forEach((r) => {
    const n = r.anchors.length;
    if (n) {
      const j = r.anchors[n - 1];
      sumC += r.clock[j];
      sumG += r.gtime[j];
    }
  });
  let cyclesPerNs: number, clockMethod: string;
  if (sumG > 0 && sumC > 0) {
    cyclesPerNs = sumC / sumG;
    clockMethod = `clock64 / %globaltimer over ${slices.length} slices (${cyclesPerNs.toFixed(3)} GHz)`;
  } else if (opts.clockRateKHz && opts.clockRateKHz > 0) {
    cyclesPerNs = opts.clockRateKHz / 1e6;
    clockMethod = `device clock rate ${opts.clockRateKHz} kHz (the timer did not advance within the trace)`;
  } else {
    throw new TraceFormatError(
      "cannot place events in time: %globaltimer never advanced within any slice and no clockRateKHz was given; pass the device report's clockRateKHz",
    );
  }
  const gBase = slices.reduce((m, s) => (s.globaltimer0 < m ? s.globaltimer0 : m), slices[0].globaltimer0);
  const sliceStart = slices.map((s, i) => {
    const r = recs[i];
    let off = 0; // the header pair (0, 0) is itself a reading
    for (const j of r.anchors) off = Math.max(off, r.gtime[j] - r.clock[j] / cyclesPerNs);
    return Number(s.globaltimer0 - gBase) + off;
  });

  // --- rows: by SM, then role --------------------------------------------------------------------
  const order = slices
    .map((_, i) => i)
    .sort(
      (a, b) =>
        slices[a].sm - slices[b].sm ||
        slices[a].cta - slices[b].cta ||
        TRACE_ROLES.indexOf(slices[a].role) - TRACE_ROLES.indexOf(slices[b].role),
    );
  const rows: TraceRow[] = order.map((i) => ({
    cta: slices[i].cta,
    sm: slices[i].sm,
    role: slices[i].role,
    events: slices[i].events,
    dropped: slices[i].events - slices[i].written,
  }));

  // --- spans, tiles, stage fills -------------------------------------------------------------------
  const total = recs.reduce((a, r) => a + r.kind.length, 0);
  const sp = {
    start: new Float64Array(total),
    end: new Float64Array(total),
    phase: new Uint8Array(total),
    row: new Uint32Array(total),
    stage: new Uint8Array(total),
    kblock: new Uint16Array(total),
    tileM: new Uint16Array(total),
    tileN: new Uint16Array(total),
  };
  const tl = {
    start: new Float64Array(total),
    end: new Float64Array(total),
    row: new Uint32Array(total),
    tileM: new Uint16Array(total),
    tileN: new Uint16Array(total),
  };
  let ns = 0,
    nt = 0,
    maxStage = -1;
  let tMin = Infinity,
    tMax = -Infinity;
  // Per CTA: TMA issue times per stage (producer) and release times per stage per math role.
  const issues = new Map<number, number[][]>();
  const releases = new Map<number, number[][][]>();
  const forCta = <T>(m: Map<number, T[]>, cta: number): T[] => {
    let v = m.get(cta);
    if (!v) {
      v = [];
      m.set(cta, v);
    }
    return v;
  };

  order.forEach((si, rowIdx) => {
    const s: TraceSlice = slices[si];
    const r: SliceRecords = recs[si];
    const base = sliceStart[si];
    // Open begins per pair: a list, because the overlapped K-loop has two wgmma groups in flight
    // (K-block kb+1 is issued before kb is done); an end closes the begin of its own K-block.
    const open: Array<Array<{ t: number; rec: number }>> = PAIRS.map(() => []);
    let tileOpen = NaN,
      tileM = 0,
      tileN = 0;
    for (let j = 0; j < r.kind.length; j++) {
      const t = base + r.clock[j] / cyclesPerNs;
      if (t < tMin) tMin = t;
      if (t > tMax) tMax = t;
      const kind = r.kind[j];
      if (r.stage[j] !== TRACE_NO_STAGE && r.stage[j] > maxStage) maxStage = r.stage[j];
      for (const p of CLOSES[kind]) {
        const pending = open[p];
        if (pending.length === 0) continue;
        let at = pending.length - 1;
        for (let q = pending.length - 1; q >= 0; q--)
          if (r.kblock[pending[q].rec] === r.kblock[j]) {
            at = q;
            break;
          }
        const { t: t0, rec: o } = pending[at];
        pending.splice(at, 1);
        sp.start[ns] = t0;
        sp.end[ns] = t;
        sp.phase[ns] = PHASE[PAIRS[p][2]];
        sp.row[ns] = rowIdx;
        sp.stage[ns] = r.stage[o];
        sp.kblock[ns] = r.kblock[o];
        sp.tileM[ns] = tileM;
        sp.tileN[ns] = tileN;
        ns++;
      }
      // A begin whose end never came (a dropped record) is replaced by the next one of its K-block.
      for (const p of OPENS[kind]) {
        const pending = open[p].filter((x) => r.kblock[x.rec] !== r.kblock[j]);
        pending.push({ t, rec: j });
        open[p] = pending.length > 2 ? pending.slice(-2) : pending;
      }
      if (kind === K.TileBegin) {
        tileOpen = t;
        tileM = r.tileM[j];
        tileN = r.tileN[j];
      } else if (kind === K.TileEnd && !Number.isNaN(tileOpen)) {
        tl.start[nt] = tileOpen;
        tl.end[nt] = t;
        tl.row[nt] = rowIdx;
        tl.tileM[nt] = tileM;
        tl.tileN[nt] = tileN;
        nt++;
        tileOpen = NaN;
      } else if (kind === K.TmaIssue && r.stage[j] !== TRACE_NO_STAGE) {
        const st = forCta(issues, s.cta);
        (st[r.stage[j]] ??= []).push(t);
      } else if (kind === K.StageRelease && r.stage[j] !== TRACE_NO_STAGE) {
        const byRole = forCta(releases, s.cta);
        const roleIdx = TRACE_ROLES.indexOf(s.role);
        const st = (byRole[roleIdx] ??= []);
        (st[r.stage[j]] ??= []).push(t);
      }
    }
  });

  // A fill is the k-th issue into stage s, emptied by the k-th release of every math role that ran;
  // with ping-pong each fill has one reader, so the roles' releases merge into one time-ordered list.
  const fills: { start: number; end: number; cta: number; stage: number }[] = [];
  for (const [cta, st] of issues) {
    const ran = (releases.get(cta) ?? []).filter((x) => x !== undefined);
    const byRole = opts.pingpong ? [mergeReleases(ran)] : ran;
    if (byRole.length === 0) continue;
    st.forEach((times, stage) => {
      if (!times) return;
      times.forEach((t0, k) => {
        let end = -Infinity;
        for (const role of byRole) {
          const rel = role[stage]?.[k];
          if (rel === undefined) {
            end = NaN;
            break;
          }
          end = Math.max(end, rel);
        }
        if (Number.isFinite(end) && end >= t0) fills.push({ start: t0, end, cta, stage });
      });
    });
  }
  fills.sort((a, b) => a.start - b.start);

  const origin = Number.isFinite(tMin) ? tMin : 0;
  const shift = (a: Float64Array, n: number) => {
    const out = a.slice(0, n);
    for (let i = 0; i < n; i++) out[i] -= origin;
    return out;
  };
  const eventsRecorded = rows.reduce((a, r) => a + r.events - r.dropped, 0);
  return {
    ...(opts.pingpong ? { pingpong: true } : {}),
    rows,
    spans: {
      count: ns,
      start: shift(sp.start, ns),
      end: shift(sp.end, ns),
      phase: sp.phase.slice(0, ns),
      row: sp.row.slice(0, ns),
      stage: sp.stage.slice(0, ns),
      kblock: sp.kblock.slice(0, ns),
      tileM: sp.tileM.slice(0, ns),
      tileN: sp.tileN.slice(0, ns),
    },
    tiles: {
      count: nt,
      start: shift(tl.start, nt),
      end: shift(tl.end, nt),
      row: tl.row.slice(0, nt),
      tileM: tl.tileM.slice(0, nt),
      tileN: tl.tileN.slice(0, nt),
    },
    fills: {
      count: fills.length,
      start: Float64Array.from(fills, (f) => f.start - origin),
      end: Float64Array.from(fills, (f) => f.end - origin),
      cta: Uint32Array.from(fills, (f) => f.cta),
      stage: Uint8Array.from(fills, (f) => f.stage),
    },
    durationNs: Number.isFinite(tMax) ? tMax - origin : 0,
    cyclesPerNs,
    clockMethod,
    numStages: opts.numStages ?? maxStage + 1,
    eventsRecorded,
    eventsDropped: rows.reduce((a, r) => a + r.dropped, 0),
  };
}

/** Per stage, every role's release times in one ascending list (the ping-pong warpgroups' turns). */
function mergeReleases(byRole: number[][][]): number[][] {
  const merged: number[][] = [];
  for (const role of byRole)
    role.forEach((times, stage) => {
      if (times) (merged[stage] ??= []).push(...times);
    });
  for (const times of merged) times?.sort((a, b) => a - b);
  return merged;
}
