// Command-line parsing for `fp8lab timeline` and `fp8lab accuracy`. Pure: argv in, a typed request
// or a message that says what is wrong and what would work.
import type { InputKind } from '../../protocol/trace';
import type { GemmProblem } from '../../protocol/worker';
import type { ConfigOverrides } from '../worker/bench/policy';
import { isValueWord, parseConfigText, shapeFromWords, type Parsed } from './verbArgs';

export interface TimelineArgs {
  problem?: GemmProblem;
  fromCapture?: string;
  traceFile: string;
  jsonFile?: string;
  captureFile?: string;
  config?: ConfigOverrides;
  rounds?: number;
  seed?: number;
}
export interface AccuracyArgs {
  problem: GemmProblem;
  jsonFile: string;
  input: InputKind;
  seed: number;
  config?: ConfigOverrides;
}

const INPUTS: readonly InputKind[] = ['normal', 'outliers', 'tiny'];

function wholeNumber(flag: string, text: string | undefined, lo: number, hi: number): Parsed<number> {
  const v = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(v) || v < lo || v > hi)
    return {
      ok: false,
      message: `${flag} needs a whole number from ${lo} to ${hi}; got ${JSON.stringify(text ?? '')}`,
    };
  return { ok: true, value: v };
}

/** Splits `--flag value` / `--flag=value`; shape words are what is left. */
function scan(args: string[], valued: readonly string[]): Parsed<{ words: string[]; flags: Map<string, string> }> {
  const words: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return { ok: 'help' };
    if (isValueWord(a)) {
      words.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!valued.includes(name)) return { ok: false, message: `unknown option ${name}; options: ${valued.join(', ')}` };
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return { ok: false, message: `${name} needs a value` };
    flags.set(name, value);
  }
  return { ok: true, value: { words, flags } };
}

const shapeOf = shapeFromWords;

export function parseTimelineArgs(args: string[]): Parsed<TimelineArgs> {
  const s = scan(args, [
    '--trace',
    '--json',
    '--capture',
    '--config',
    '--rounds',
    '--seed',
    '--from-capture',
    '--kernel',
  ]);
  if (s.ok !== true) return s;
  const { words, flags } = s.value;
  const traceFile = flags.get('--trace');
  if (!traceFile)
    return {
      ok: false,
      message: 'timeline needs --trace FILE (the Chrome/Perfetto trace JSON to write; open it in ui.perfetto.dev)',
    };
  // --from-capture: convert a recorded capture (no GPU, no shape).
  const fromCapture = flags.get('--from-capture');
  if (fromCapture !== undefined) {
    if (words.length > 0 || flags.size > 2)
      return {
        ok: false,
        message: '--from-capture FILE takes only --trace FILE (the shape and config come from the capture)',
      };
    return { ok: true, value: { fromCapture, traceFile } };
  }
  // --kernel bf16: the BF16 GEMM (its kernel carries the same trace points); default the FP8 GEMM.
  const kernel = flags.get('--kernel') ?? 'normal';
  if (kernel !== 'normal' && kernel !== 'bf16')
    return {
      ok: false,
      message: `--kernel for timeline is normal (the FP8 GEMM, default) or bf16; got ${JSON.stringify(kernel)}`,
    };
  const shape = shapeOf('timeline', words, { kind: kernel });
  if (shape.ok !== true) return shape;
  const value: TimelineArgs = { problem: shape.value, traceFile };
  if (flags.has('--json')) value.jsonFile = flags.get('--json');
  if (flags.has('--capture')) value.captureFile = flags.get('--capture');
  if (flags.has('--config')) {
    const c = parseConfigText(flags.get('--config')!);
    if (c.ok !== true) return c;
    value.config = c.value;
  }
  if (flags.has('--rounds')) {
    const r = wholeNumber('--rounds', flags.get('--rounds'), 1, 1000);
    if (r.ok !== true) return r;
    value.rounds = r.value;
  }
  if (flags.has('--seed')) {
    const r = wholeNumber('--seed', flags.get('--seed'), 0, 0xffffffff);
    if (r.ok !== true) return r;
    value.seed = r.value;
  }
  return { ok: true, value };
}

export function parseAccuracyArgs(args: string[]): Parsed<AccuracyArgs> {
  const s = scan(args, ['--json', '--input', '--seed', '--config']);
  if (s.ok !== true) return s;
  const { words, flags } = s.value;
  const shape = shapeOf('accuracy', words);
  if (shape.ok !== true) return shape;
  const jsonFile = flags.get('--json');
  if (!jsonFile)
    return {
      ok: false,
      message: 'accuracy needs --json FILE (the AccuracyReport to write; the accuracy view opens it)',
    };
  const input = (flags.get('--input') ?? 'normal') as InputKind;
  if (!INPUTS.includes(input))
    return { ok: false, message: `--input must be normal, outliers or tiny; got ${JSON.stringify(input)}` };
  let seed = 0;
  if (flags.has('--seed')) {
    const r = wholeNumber('--seed', flags.get('--seed'), 0, 0xffffffff);
    if (r.ok !== true) return r;
    seed = r.value;
  }
  const value: AccuracyArgs = { problem: shape.value, jsonFile, input, seed };
  if (flags.has('--config')) {
    const c = parseConfigText(flags.get('--config')!);
    if (c.ok !== true) return c;
    value.config = c.value;
  }
  return { ok: true, value };
}
