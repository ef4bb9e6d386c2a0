// `fp8lab layout ...`: the layout utilities of the grouped kernels from a terminal.
//   tma-aligned-size SIZE [ELEMENT_BYTES]            16-byte TMA stride rounding (default 4 bytes: fp32 scales)
//   cast per-token|per-block|per-channel IN ROWS COLS OUT   fp32 file -> OUT.fp8 + OUT.scales.f32 (on the GPU)
//   transform-scales IN ROWS K_BLOCKS OUT            [rows][K/128] fp32 -> [K/128][TMA-aligned rows] (on the GPU)
//   settings [--num-sms N] [--alignment N]           what the persistent kernels use (validated)
import { readFile, writeFile } from 'node:fs/promises';
import type { CastMode } from '../../protocol/grouped';
import { tmaAlignedSize } from '../core/grouped/layout';
import { castToFp8, transformScales } from '../worker/grouped/groupedService';
import { getGroupedSettings, setGroupedSettings } from '../worker/grouped/groupedSettings';
import type { CliIo } from './io';
import { cliSettings, reportError, VERB_EXIT } from './verbSupport';

export const LAYOUT_HELP = `Usage: fp8lab layout <utility> ...

  tma-aligned-size SIZE [ELEMENT_BYTES]   SIZE rounded up so SIZE x ELEMENT_BYTES is a multiple of 16
                                          (the TMA stride rule; default 4 bytes, the fp32 scales)
  cast MODE IN.f32 ROWS COLS OUT          MODE per-token (1x128, scales [K/128][TMA-aligned rows]),
                                          per-block (128x128) or per-channel; writes OUT.fp8 (e4m3)
                                          and OUT.scales.f32; needs the Hopper GPU
  transform-scales IN.f32 ROWS K_BLOCKS OUT.f32
                                          user scales [ROWS][K_BLOCKS] -> the kernels' MN-major
                                          [K_BLOCKS][TMA-aligned ROWS] layout; needs the GPU
  settings [--num-sms N] [--alignment N]  check and show the SMs the persistent kernels may use
                                          (FP8LAB_NUM_SMS sets it for every command) and the M/K
                                          alignment of contiguous layouts (a multiple of 128)
`;

const whole = (s: string | undefined): number => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);

export async function run(args: string[], io: CliIo): Promise<number> {
  const [what, ...rest] = args;
  if (!what || what === '--help' || what === '-h') {
    io.out(LAYOUT_HELP);
    return what ? VERB_EXIT.ok : VERB_EXIT.usage;
  }
  const usage = (msg: string) => {
    io.err(`fp8lab layout: ${msg}\n\n${LAYOUT_HELP}`);
    return VERB_EXIT.usage;
  };
  try {
    switch (what) {
      case 'tma-aligned-size': {
        const size = whole(rest[0]);
        const elem = rest[1] === undefined ? 4 : whole(rest[1]);
        if (Number.isNaN(size) || Number.isNaN(elem))
          return usage('tma-aligned-size needs SIZE [ELEMENT_BYTES] as whole numbers');
        io.out(`${tmaAlignedSize(size, elem)}\n`);
        return VERB_EXIT.ok;
      }
      case 'cast': {
        const [mode, input, r, c, out] = rest;
        if (!['per-token', 'per-block', 'per-channel'].includes(mode ?? '') || !input || !out)
          return usage('cast needs MODE IN.f32 ROWS COLS OUT');
        const data = await readFile(input);
        const res = await castToFp8(cliSettings(io), {
          mode: mode as CastMode,
          rows: whole(r),
          cols: whole(c),
          dataBase64: data.toString('base64'),
        });
        await writeFile(`${out}.fp8`, Buffer.from(res.fp8Base64, 'base64'));
        await writeFile(`${out}.scales.f32`, Buffer.from(res.scalesBase64, 'base64'));
        io.out(
          `wrote ${out}.fp8 (e4m3 [${res.rows}, ${res.cols}]) and ${out}.scales.f32 (${res.scaleLayout}, shape [${res.scaleShape.join(', ')}])\n`,
        );
        return VERB_EXIT.ok;
      }
      case 'transform-scales': {
        const [input, r, kb, out] = rest;
        if (!input || !out) return usage('transform-scales needs IN.f32 ROWS K_BLOCKS OUT.f32');
        const data = await readFile(input);
        const res = await transformScales(cliSettings(io), {
          dataBase64: data.toString('base64'),
          rows: whole(r),
          kBlocks: whole(kb),
        });
        await writeFile(out, Buffer.from(res.dataBase64, 'base64'));
        io.out(`wrote ${out}: fp32 [${res.kBlocks}][${res.alignedRows}] MN-major\n`);
        return VERB_EXIT.ok;
      }
      case 'settings': {
        const change: { numSms?: number; mkAlignment?: number } = {};
        for (let i = 0; i < rest.length; i++) {
          if (rest[i] === '--num-sms') change.numSms = whole(rest[++i]);
          else if (rest[i] === '--alignment') change.mkAlignment = whole(rest[++i]);
          else return usage(`unknown settings option ${rest[i]}`);
        }
        const settings = cliSettings(io);
        setGroupedSettings(change);
        const s = getGroupedSettings(settings);
        io.out(
          `numSms: ${s.numSms ?? "all of the device's SMs"} (FP8LAB_NUM_SMS for every command)\nmkAlignment: ${s.mkAlignment}\n`,
        );
        return VERB_EXIT.ok;
      }
      default:
        return usage(`unknown utility ${JSON.stringify(what)}`);
    }
  } catch (err) {
    return reportError('layout', err, io);
  }
}
