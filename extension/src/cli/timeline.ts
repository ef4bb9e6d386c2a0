// `fp8lab timeline M N K [--config k=v,...] --trace FILE [--json FILE] [--capture FILE]`: the
// pipeline timeline of one shape on the local Hopper GPU: the instrumented kernel's trace as a
// Chrome/Perfetto trace, the summary and the cost of the instrumentation (timed with and without).
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatTimelineRun, tilePhasesLine } from '../core/studies/studyText';
import type { TraceCapture } from '../../protocol/trace';
import { checkTraceCapture, decodeCapture, summarizeTrace, toChromeTrace } from '../core/trace';
import * as service from '../worker/service';
import { timeline } from '../worker/studies/timeline';
import type { CliIo } from './io';
import { parseTimelineArgs } from './studyArgs';
import { CONFIG_KEYS } from './verbArgs';
import {
  cliSettings,
  reportError,
  runCancellable,
  STOP_NOTICE,
  studyHooks,
  VERB_EXIT,
  writeJsonReport,
  usageError,
} from './verbSupport';
import { shapeLabel } from '../core/shapes';

export const TIMELINE_HELP = `Usage: fp8lab timeline M N K --trace FILE [options]
       fp8lab timeline --from-capture CAPTURE.json --trace FILE     (no GPU: convert a recorded capture)

Runs the instrumented build of the kernel (FP8LAB_TRACE=1: every CTA records its producer and math
warpgroups' events with %globaltimer) once on the local Hopper GPU, checks its output against the
FP32 reference, and times the normal and the instrumented kernel interleaved on the same path, so
the instrumentation's own cost is shown. Writes a Chrome/Perfetto trace (open in ui.perfetto.dev).

Options:
  --trace FILE       the Chrome/Perfetto trace JSON to write (required)
  --json FILE        the whole result (TimelineRun: raw capture, summary, timing) as JSON
  --capture FILE     the raw capture alone (TraceCapture), what the timeline view opens
  --config k=v,...   force parts of the config; keys: ${Object.keys(CONFIG_KEYS).join(', ')}
  --rounds N         timed rounds of each kernel (default 10)
  --seed N           random inputs seed (default 0)
  --kernel bf16      the BF16 GEMM instead of the FP8 one (K % 8; its config space and tolerance)
  --from-capture F   read a recorded capture (--capture, or a --json TimelineRun) instead of running

Exit codes: 0 done, 1 bad command line, 4 no usable CUDA toolkit, 5 native addon broken,
6 failed (no Hopper GPU, wrong result, ...), 130 interrupted.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseTimelineArgs(args);
  if (parsed.ok === 'help') {
    io.out(TIMELINE_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('timeline', parsed, TIMELINE_HELP, io);
  const a = parsed.value;
  if (a.fromCapture !== undefined) return convert(a.fromCapture, a.traceFile, io);
  return runCancellable('timeline', io, STOP_NOTICE, async (cancelled) => {
    const settings = cliSettings(io);
    const [problem] = a.config ? await service.completeConfigs(settings, [a.problem!], a.config) : [a.problem!];
    const result = await timeline(
      settings,
      problem,
      { ...(a.rounds ? { rounds: a.rounds } : {}), ...(a.seed !== undefined ? { seed: a.seed } : {}) },
      studyHooks(io, cancelled),
    );
    io.out(formatTimelineRun(result));
    const c = result.capture;
    await writeJsonReport(a.traceFile, chromeTraceOf(c), io);
    if (a.jsonFile) await writeJsonReport(a.jsonFile, result, io);
    if (a.captureFile) await writeJsonReport(a.captureFile, c, io);
    return VERB_EXIT.ok;
  });
}

function chromeTraceOf(c: TraceCapture) {
  return toChromeTrace(decodeCapture(c), {
    shape: `${shapeLabel(c.problem)}`,
    kernel: c.kernelName ?? '',
    device: c.device?.name ?? '',
    ...(c.timing ? { plainUs: c.timing.plainUs, instrumentedUs: c.timing.instrumentedUs } : {}),
    ...(c.recorded ? { recorded: c.recorded } : {}),
  });
}

/** --from-capture: a recorded capture (or a TimelineRun holding one) to a Perfetto trace, no GPU. */
async function convert(from: string, traceFile: string, io: CliIo): Promise<number> {
  try {
    let text: string;
    try {
      text = await readFile(resolve(from), 'utf8');
    } catch (e) {
      io.err(`fp8lab timeline: cannot read the capture ${from}: ${(e as Error).message}\n`);
      return VERB_EXIT.usage;
    }
    const raw = JSON.parse(text) as { capture?: unknown };
    const capture = checkTraceCapture(raw && typeof raw === 'object' && 'capture' in raw ? raw.capture : raw);
    const s = summarizeTrace(decodeCapture(capture));
    io.out(
      `${shapeLabel(capture.problem)}: ${s.eventsRecorded} events (${s.eventsDropped} dropped), ` +
        `${(s.durationNs / 1000).toFixed(1)} µs first to last event, ${s.tiles} tiles on ${s.sms} SMs\n`,
    );
    const perTile = tilePhasesLine(s);
    if (perTile) io.out(perTile + '\n');
    const path = resolve(traceFile);
    await writeFile(path, JSON.stringify(chromeTraceOf(capture)) + '\n');
    io.err(`wrote ${path}\n`);
    return VERB_EXIT.ok;
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (e.name === 'TraceFormatError' || err instanceof SyntaxError) {
      io.err(`fp8lab timeline: ${from}: ${e.message}\n`);
      return VERB_EXIT.usage;
    }
    return reportError('timeline', err, io);
  }
}
