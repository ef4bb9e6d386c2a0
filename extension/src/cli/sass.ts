// `fp8lab sass M N K [--config ...] [--against ...] [--mix] [--json]`: the SASS the compiler made
// of a config (compiled with line info, disassembled by nvdisasm or cuobjdump), its instruction mix,
// or the diff of two configs. `--from FILE` reads a saved listing instead (no toolkit needed).
import { readFile } from 'node:fs/promises';
import type { SassReport } from '../../protocol/sass';
import { findLoops, flattenLoops } from '../core/sass/loops';
import { countByLine } from '../core/sass/sourceLines';
import { compiledSass } from '../runtime/sass/compiledSass';
import { listingText, reportFromText } from '../runtime/sass/disassemble';
import { findSassTools, installSassTools, requireSassTools } from '../runtime/sass/tools';
import * as service from '../worker/service';
import type { CliIo } from './io';
import { parseSassArgs, type SassArgs } from './sassArgs';
import {
  diffFunctions,
  formatAligned,
  formatLineCounts,
  formatListing,
  formatMix,
  formatMixDelta,
  functionMix,
  pickFunction,
  reportHeader,
} from './sassFormat';
import { CONFIG_KEYS } from './verbArgs';
import { cliSettings, reportError, VERB_EXIT, usageError } from './verbSupport';

export const SASS_HELP = `Usage: fp8lab sass M N K [--config k=v,...] [--against k=v,...] [--mix | --lines] [--json] [--function NAME]
       fp8lab sass --from FILE [--against-from FILE2] [--mix | --lines] [--json]      (FILE may be gzipped)
       fp8lab sass --install-tools

Compiles the GEMM kernel for the shape with line info (the heuristic's config, or --config's) and
shows its SASS: nvdisasm -c -gi -hex (source lines, encodings) or, without nvdisasm, cuobjdump -sass.
Each instruction carries its decoded control bits (wait mask, read/write scoreboards, yield, stall;
the layout is reverse-engineered, not documented by NVIDIA). Loops are marked from backward branches.
  --mix            only the instruction mix (tensor-core instructions by shape, then by family)
  --lines          what each source line became: instruction counts per line (needs line info)
  --against k=v,.. a second config of the same shape: mix deltas and the aligned listing
  --json           JSON instead of text (with --mix: the mix and loop counts only)
  --from FILE      read a saved cuobjdump -sass / nvdisasm listing instead of compiling
  --install-tools  pip install NVIDIA's nvdisasm/cuobjdump wheels into the tools cache
Tools are looked for in FP8LAB_SASS_TOOLS_DIR, nvcc's folder, the CUDA home, the tools cache, PATH;
FP8LAB_SASS_DISASSEMBLER=cuobjdump uses cuobjdump even where nvdisasm is found.
Config keys: ${Object.keys(CONFIG_KEYS).join(', ')}.
`;

function summary(r: SassReport, filter?: string) {
  const fn = pickFunction(r, filter);
  return {
    ...(r.problem ? { problem: r.problem } : {}),
    ...(r.config ? { config: r.config } : {}),
    ...(r.kernelName ? { kernelName: r.kernelName } : {}),
    tool: r.tool,
    command: r.command,
    arch: r.listing.arch,
    hasLineInfo: r.listing.hasLineInfo,
    hasEncodings: r.listing.hasEncodings,
    function: fn?.name,
    instructions: fn?.instructions.length ?? 0,
    loops: fn ? flattenLoops(findLoops(fn)).length : 0,
    mix: fn ? functionMix(fn) : undefined,
  };
}

async function obtain(a: SassArgs, io: CliIo, which: 'main' | 'against'): Promise<SassReport> {
  const file = which === 'main' ? a.fromFile : a.againstFile;
  if (file) return reportFromText(listingText(await readFile(file)), file);
  const settings = cliSettings(io);
  const tools = findSassTools({
    toolsDir: process.env.FP8LAB_SASS_TOOLS_DIR,
    nvccPath: settings.nvccPath,
    cudaHome: settings.cudaHome,
  });
  requireSassTools(tools, "Run `fp8lab sass --install-tools` to try NVIDIA's wheels.");
  const overrides = which === 'main' ? a.config : a.against;
  const [problem] = overrides ? await service.completeConfigs(settings, [a.problem!], overrides) : [a.problem!];
  return compiledSass(
    service.compileKernel,
    settings,
    { problem, ...(problem.config ? { config: problem.config } : {}) },
    tools,
  );
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseSassArgs(args);
  if (parsed.ok === 'help') {
    io.out(SASS_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('sass', parsed, SASS_HELP, io);
  const a = parsed.value;
  try {
    if (a.installTools) {
      const settings = cliSettings(io);
      const result = await installSassTools({
        toolsDir: process.env.FP8LAB_SASS_TOOLS_DIR,
        nvccPath: settings.nvccPath,
        cudaHome: settings.cudaHome,
      });
      (result.ok ? io.out : io.err)(`${result.message}\n`);
      if (!result.ok) return VERB_EXIT.failed;
      if (!a.problem) return VERB_EXIT.ok;
    }
    const main = await obtain(a, io, 'main');
    const against = a.against || a.againstFile ? await obtain(a, io, 'against') : undefined;
    if (against) {
      const left = pickFunction(main, a.functionFilter);
      const right = pickFunction(against, a.functionFilter);
      if (!left || !right)
        throw Object.assign(
          new Error(`no function${a.functionFilter ? ` matching "${a.functionFilter}"` : ''} in one of the listings`),
          { code: 'E_BAD_ARGUMENT' },
        );
      const d = diffFunctions(left, right);
      const base = (p: string) => p.slice(p.lastIndexOf('/') + 1).replace(/\.(txt\.gz|gz|txt)$/, '');
      const leftLabel = a.fromFile ? base(a.fromFile) : formatConfigOr(main, 'left'),
        rightLabel = a.againstFile ? base(a.againstFile) : formatConfigOr(against, 'right');
      if (a.json) {
        io.out(
          JSON.stringify(
            {
              left: summary(main, a.functionFilter),
              right: summary(against, a.functionFilter),
              aligned: { same: d.same, leftOnly: d.leftOnly, rightOnly: d.rightOnly, truncated: d.truncated },
              mixDelta: d.mix,
              ...(a.mix ? {} : { rows: d.rows }),
            },
            null,
            2,
          ) + '\n',
        );
      } else {
        io.out(
          `left:\n${reportHeader(main)}\nright:\n${reportHeader(against)}\n${formatMixDelta(d, leftLabel, rightLabel)}`,
        );
        if (!a.mix) io.out('\n' + formatAligned(d, left, right));
      }
      return VERB_EXIT.ok;
    }
    const fn = pickFunction(main, a.functionFilter);
    if (!fn)
      throw Object.assign(new Error(`no function matching "${a.functionFilter}" in the listing`), {
        code: 'E_BAD_ARGUMENT',
      });
    if (a.lines) {
      const counts = countByLine([fn]);
      io.out(
        a.json
          ? JSON.stringify({ function: fn.name, hasLineInfo: main.listing.hasLineInfo, counts }, null, 2) + '\n'
          : reportHeader(main) + '\n' + formatLineCounts(counts),
      );
      return VERB_EXIT.ok;
    }
    if (a.json)
      io.out(
        JSON.stringify(
          a.mix ? summary(main, a.functionFilter) : { ...summary(main, a.functionFilter), listing: main.listing },
          null,
          2,
        ) + '\n',
      );
    else io.out(reportHeader(main) + '\n' + (a.mix ? formatMix(functionMix(fn)) : formatListing(fn)));
    return VERB_EXIT.ok;
  } catch (err) {
    return reportError('sass', err, io);
  }
}

function formatConfigOr(r: SassReport, fallback: string): string {
  return r.config ? `${r.config.blockM}x${r.config.blockN}` : fallback;
}
