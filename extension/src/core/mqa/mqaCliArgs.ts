// `fp8lab bench --kernel mqa-logits|paged-mqa-logits` argument parsing (pure: argv in, cases and
// options out, or a message saying what is wrong and what would work).
import type { MqaBenchOptions, MqaCase, MqaKind } from '../../../protocol/mqa';
import { defaultCases, MQA_KINDS, parseMqaShape } from './mqaShapes';

export type MqaParsed = { ok: true; value: MqaArgs } | { ok: false; message: string } | { ok: 'help' };

export interface MqaArgs {
  kind: MqaKind;
  cases: MqaCase[];
  shapesLabel: string;
  jsonFile?: string;
  options: MqaBenchOptions;
}

export const MQA_DEFAULT_ROUNDS = 10;

/** True when argv asks for one of the MQA-logits kinds (the bench verb routes on it). */
export function wantsMqaKernel(args: readonly string[]): boolean {
  const i = args.indexOf('--kernel');
  return i >= 0 && (MQA_KINDS as readonly string[]).includes(args[i + 1] ?? '');
}

export function parseMqaArgs(args: readonly string[]): MqaParsed {
  let kind: MqaKind | undefined;
  const shapes: string[] = [];
  let jsonFile: string | undefined;
  let rounds = MQA_DEFAULT_ROUNDS;
  let seed = 0;
  let timing = true;
  let peer = true;
  let pdl = true;
  const num = (flag: string, v: string | undefined, min: number, max: number): number | string => {
    if (v === undefined || !/^\d+$/.test(v)) return `${flag} needs a whole number`;
    const x = Number(v);
    return x < min || x > max ? `${flag} must be in ${min}..${max}; got ${x}` : x;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return { ok: 'help' };
    switch (a) {
      case '--kernel': {
        const v = args[++i];
        if (!(MQA_KINDS as readonly string[]).includes(v ?? ''))
          return { ok: false, message: `--kernel must be ${MQA_KINDS.join(' or ')} here; got ${v ?? 'nothing'}` };
        kind = v as MqaKind;
        break;
      }
      case '--shapes':
        break; // the shapes are every bare argument
      case '--json':
        jsonFile = args[++i];
        if (!jsonFile) return { ok: false, message: '--json needs a file name' };
        break;
      case '--rounds': {
        const r = num('--rounds', args[++i], 1, 10000);
        if (typeof r === 'string') return { ok: false, message: r };
        rounds = r;
        break;
      }
      case '--seed': {
        const r = num('--seed', args[++i], 0, 0xffffffff);
        if (typeof r === 'string') return { ok: false, message: r };
        seed = r;
        break;
      }
      case '--check-only':
        timing = false;
        break;
      case '--no-peer':
        peer = false;
        break;
      case '--no-pdl':
        pdl = false;
        break;
      default:
        if (a.startsWith('--'))
          return { ok: false, message: `unknown option ${a} for bench --kernel ${kind ?? 'mqa-logits'}` };
        shapes.push(a);
    }
  }
  if (!kind) return { ok: false, message: '--kernel mqa-logits or --kernel paged-mqa-logits is required here' };
  let cases: MqaCase[];
  let shapesLabel: string;
  if (shapes.length === 0 || (shapes.length === 1 && shapes[0] === 'deepgemm')) {
    cases = defaultCases(kind);
    shapesLabel = `DeepGEMM's ${kind} test shapes`;
  } else {
    cases = [];
    for (const s of shapes) {
      const c = parseMqaShape(kind, s);
      if (typeof c === 'string') return { ok: false, message: c };
      cases.push(c);
    }
    shapesLabel = `${cases.length} shape(s)`;
  }
  return {
    ok: true,
    value: {
      kind,
      cases,
      shapesLabel,
      ...(jsonFile ? { jsonFile } : {}),
      options: { timing, rounds, seed, pdl, ...(peer ? {} : { peer: false }) },
    },
  };
}
