// Chrome / Perfetto trace JSON (the "Trace Event Format"): one process per SM (pid = SM id), one
// thread per warpgroup role (tid 0 producer, 1 math0, 2 math1), complete events (ph 'X') in µs.
// Opens in ui.perfetto.dev and chrome://tracing. Pure.

import { TRACE_PHASES, TRACE_ROLES, type TraceData } from '../../../protocol/trace';

export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, number | string>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ns';
  otherData: Record<string, string | number>;
}

const us = (ns: number): number => Math.round(ns) / 1000;

export function toChromeTrace(d: TraceData, meta: Record<string, string | number> = {}): ChromeTrace {
  const ev: ChromeTraceEvent[] = [];
  const named = new Set<string>();
  d.rows.forEach((r) => {
    const tid = TRACE_ROLES.indexOf(r.role);
    if (!named.has(`p${r.sm}`)) {
      named.add(`p${r.sm}`);
      ev.push({ name: 'process_name', ph: 'M', pid: r.sm, tid: 0, args: { name: `SM ${r.sm}` } });
      ev.push({ name: 'process_sort_index', ph: 'M', pid: r.sm, tid: 0, args: { sort_index: r.sm } });
    }
    ev.push({ name: 'thread_name', ph: 'M', pid: r.sm, tid, args: { name: `${r.role} (CTA ${r.cta})` } });
  });
  const { tiles, spans } = d;
  for (let i = 0; i < tiles.count; i++) {
    const r = d.rows[tiles.row[i]];
    ev.push({
      name: `tile ${tiles.tileM[i]},${tiles.tileN[i]}`,
      cat: 'tile',
      ph: 'X',
      pid: r.sm,
      tid: TRACE_ROLES.indexOf(r.role),
      ts: us(tiles.start[i]),
      dur: us(tiles.end[i] - tiles.start[i]),
      args: { m_block: tiles.tileM[i], n_block: tiles.tileN[i] },
    });
  }
  for (let i = 0; i < spans.count; i++) {
    const r = d.rows[spans.row[i]];
    const args: Record<string, number> = { m_block: spans.tileM[i], n_block: spans.tileN[i] };
    if (spans.stage[i] !== 0xff) args.stage = spans.stage[i];
    if (spans.kblock[i] !== 0xffff) args.k_block = spans.kblock[i];
    ev.push({
      name: TRACE_PHASES[spans.phase[i]],
      cat: 'phase',
      ph: 'X',
      pid: r.sm,
      tid: TRACE_ROLES.indexOf(r.role),
      ts: us(spans.start[i]),
      dur: us(spans.end[i] - spans.start[i]),
      args,
    });
  }
  return {
    traceEvents: ev,
    displayTimeUnit: 'ns',
    otherData: { ...meta, clock: d.clockMethod, eventsRecorded: d.eventsRecorded, eventsDropped: d.eventsDropped },
  };
}
