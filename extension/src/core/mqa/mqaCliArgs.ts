// `fp8lab bench --kernel mqa-logits|paged-mqa-logits` argument parsing (pure: argv in, cases and
// options out, or a message saying what is wrong and what would work).
import {
  MQA_LOGITS_STRIDES,
  type MqaBenchOptions,
  type MqaCase,
  type MqaKind,
  type MqaLogitsStride,
} from '../../../protocol/mqa';
import { defaultCases, MQA_KINDS, parseMqaShape } from './mqaShapes';
import { benchOptions, defaultBenchFlags, readBenchFlag } from '../benchFlags';

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
  let logitsStride: MqaLogitsStride | undefined;
  const shapes: string[] = [];
  const flags = defaultBenchFlags(MQA_DEFAULT_ROUNDS);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return { ok: 'help' };
    const common = readBenchFlag(args, i, flags);
    if (typeof common === 'number') {
      i = common;
      continue;
    }
    if (common) return { ok: false, message: common.message };
    if (a === '--kernel') {
      const v = args[++i];
      if (!(MQA_KINDS as readonly string[]).includes(v ?? ''))
        return { ok: false, message: `--kernel must be ${MQA_KINDS.join(' or ')} here; got ${v ?? 'nothing'}` };
      kind = v as MqaKind;
      continue;
    }
    if (a === '--logits-stride') {
      const v = args[++i];
      if (!(MQA_LOGITS_STRIDES as readonly string[]).includes(v ?? ''))
        return {
          ok: false,
          message: `--logits-stride must be ${MQA_LOGITS_STRIDES.join(' or ')}; got ${v ?? 'nothing'}`,
        };
      logitsStride = v as MqaLogitsStride;
      continue;
    }
    if (a.startsWith('--'))
      return { ok: false, message: `unknown option ${a} for bench --kernel ${kind ?? 'mqa-logits'}` };
    shapes.push(a);
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
      ...(flags.jsonFile ? { jsonFile: flags.jsonFile } : {}),
      options: { ...benchOptions(flags), ...(logitsStride ? { logitsStride } : {}) },
    },
  };
}

export type MqaConfigsParsed =
  | { ok: true; value: { kind: MqaKind; case: MqaCase; json: boolean; legalOnly: boolean } }
  | { ok: false; message: string; code?: 'E_INVALID_SHAPE' }
  | { ok: 'help' };

/** `fp8lab configs --kernel mqa-logits|paged-mqa-logits CASE [--legal] [--json]`: one case, as the bench takes it. */
export function parseMqaConfigsArgs(args: readonly string[]): MqaConfigsParsed {
  let kind: MqaKind | undefined;
  let json = false;
  let legalOnly = false;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return { ok: 'help' };
    if (a === '--json') json = true;
    else if (a === '--legal') legalOnly = true;
    else if (a === '--kernel') {
      const v = args[++i];
      if (!(MQA_KINDS as readonly string[]).includes(v ?? ''))
        return { ok: false, message: `--kernel must be ${MQA_KINDS.join(' or ')} here; got ${v ?? 'nothing'}` };
      kind = v as MqaKind;
    } else if (a.startsWith('-'))
      return { ok: false, message: `unknown option ${a} for configs --kernel ${kind ?? 'mqa-logits'}` };
    else words.push(a);
  }
  if (!kind) return { ok: false, message: '--kernel mqa-logits or --kernel paged-mqa-logits is required here' };
  const example = kind === 'mqa-logits' ? '2048,8192,64,128' : '256,2,64,128,8192';
  if (words.length !== 1)
    return {
      ok: false,
      code: 'E_INVALID_SHAPE',
      message: `configs --kernel ${kind} needs one case, as the bench takes it (e.g. ${example})${words.length ? `; got ${words.map((w) => JSON.stringify(w)).join(' ')}` : ''}`,
    };
  const c = parseMqaShape(kind, words[0]);
  if (typeof c === 'string') return { ok: false, code: 'E_INVALID_SHAPE', message: c };
  return { ok: true, value: { kind, case: c, json, legalOnly } };
}
