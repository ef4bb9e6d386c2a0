// Command-line parsing for `fp8lab sass`. Pure: argv in, a typed request or a message that says
// what is wrong and what would work.
import type { GemmProblem } from '../../protocol/worker';
import type { ConfigOverrides } from '../worker/bench/policy';
import { isValueWord, parseConfigText, shapeFromWords, type Parsed } from './verbArgs';

export interface SassArgs {
  /** The shape to compile (absent with --from). */
  problem?: GemmProblem;
  config?: ConfigOverrides;
  /** A second config of the same shape to diff against. */
  against?: ConfigOverrides;
  /** Read a saved listing instead of compiling (cuobjdump -sass or nvdisasm output). */
  fromFile?: string;
  /** A second saved listing to diff against. */
  againstFile?: string;
  /** Only the function whose name contains this. */
  functionFilter?: string;
  mix: boolean;
  /** Per-source-line instruction counts instead of the listing. */
  lines: boolean;
  json: boolean;
  installTools: boolean;
}

export function parseSassArgs(args: string[]): Parsed<SassArgs> {
  const words: string[] = [];
  const out: SassArgs = { mix: false, lines: false, json: false, installTools: false };
  const value = (flag: string, v: string | undefined): Parsed<string> =>
    v === undefined || v.startsWith('--') ? { ok: false, message: `${flag} needs a value` } : { ok: true, value: v };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return { ok: 'help' };
    if (a === '--json') {
      out.json = true;
      continue;
    }
    if (a === '--mix') {
      out.mix = true;
      continue;
    }
    if (a === '--lines') {
      out.lines = true;
      continue;
    }
    if (a === '--install-tools') {
      out.installTools = true;
      continue;
    }
    if (a === '--config' || a === '--against') {
      const c = parseConfigText(args[++i] ?? '');
      if (c.ok !== true) return c;
      if (a === '--config') out.config = c.value;
      else out.against = c.value;
      continue;
    }
    if (a === '--from' || a === '--against-from' || a === '--function') {
      const v = value(a, args[++i]);
      if (v.ok !== true) return v;
      if (a === '--from') out.fromFile = v.value;
      else if (a === '--against-from') out.againstFile = v.value;
      else out.functionFilter = v.value;
      continue;
    }
    if (!isValueWord(a)) return { ok: false, message: `unknown option ${a}` };
    words.push(a);
  }
  if (out.fromFile) {
    if (words.length) return { ok: false, message: '--from reads a saved listing: give no shape with it' };
    if (out.config || out.against)
      return {
        ok: false,
        message: '--config/--against compile a shape: use --against-from to diff two saved listings',
      };
    return { ok: true, value: out };
  }
  if (out.againstFile) return { ok: false, message: '--against-from needs --from (two saved listings)' };
  if (out.installTools && words.length === 0) return { ok: true, value: out };
  if (words.length === 0)
    return {
      ok: false,
      code: 'E_INVALID_SHAPE',
      message: 'sass needs one shape: M N K or M,N,K (e.g. sass 4096 7168 2048), or --from FILE',
    };
  const shape = shapeFromWords('sass', words);
  if (shape.ok !== true) return shape as Parsed<never>;
  out.problem = shape.value;
  return { ok: true, value: out };
}
