// Runs the disassembler on a cubin (argv, never a shell) and parses what it prints. nvdisasm is
// preferred: with -gi it prints the line table (source lines and inlining) and with -hex the raw
// encodings the control bits are decoded from; cuobjdump -sass is the fallback (encodings, no lines).

import { execFile } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import type { SassReport } from '../../../protocol/sass';
import { parseSass } from '../../core/sass/parse';
import type { SassTool } from '../../core/sass/types';
import { requireSassTools, type SassTools } from './tools';

/** nvdisasm unless only cuobjdump is there or `prefer` (FP8LAB_SASS_DISASSEMBLER) asks for cuobjdump. */
export function disassemblyCommand(
  tools: SassTools,
  cubinPath: string,
  prefer?: SassTool,
): { tool: SassTool; argv: string[] } {
  requireSassTools(tools);
  if (tools.nvdisasm && !(prefer === 'cuobjdump' && tools.cuobjdump))
    return { tool: 'nvdisasm', argv: [tools.nvdisasm, '-c', '-gi', '-hex', cubinPath] };
  return { tool: 'cuobjdump', argv: [tools.cuobjdump!, '-sass', cubinPath] };
}

/** FP8LAB_SASS_DISASSEMBLER=cuobjdump|nvdisasm, when set to one of them. */
export function preferredDisassembler(
  env: Readonly<Record<string, string | undefined>> = process.env,
): SassTool | undefined {
  const v = env.FP8LAB_SASS_DISASSEMBLER?.trim().toLowerCase();
  return v === 'cuobjdump' || v === 'nvdisasm' ? v : undefined;
}

export class DisassemblyError extends Error {
  readonly code = 'E_SASS_FAILED';
  constructor(message: string) {
    super(message);
  }
}

export async function runTool(argv: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0], argv.slice(1), { timeout: timeoutMs, maxBuffer: 512 << 20 }, (error, stdout, stderr) => {
      if (error)
        reject(
          new DisassemblyError(
            `${argv[0].slice(argv[0].lastIndexOf('/') + 1)} failed: ${String(stderr).trim().split('\n').slice(-3).join(' ') || error.message}`,
          ),
        );
      else resolve(String(stdout));
    });
  });
}

export async function disassembleCubin(
  tools: SassTools,
  cubinPath: string,
): Promise<Pick<SassReport, 'tool' | 'command' | 'listing' | 'unreadLines' | 'cubinPath'>> {
  const { tool, argv } = disassemblyCommand(tools, cubinPath, preferredDisassembler());
  const text = await runTool(argv);
  const { listing, unreadLines } = parseSass(text, tool);
  if (listing.functions.length === 0) throw new DisassemblyError(`${tool} printed no instructions for ${cubinPath}`);
  return { tool, command: argv, listing, unreadLines, cubinPath };
}

/** A listing saved earlier (cuobjdump -sass or nvdisasm output, e.g. from a GPU server). */
export function reportFromText(text: string, origin: string): SassReport {
  const { listing, unreadLines } = parseSass(text);
  if (listing.functions.length === 0)
    throw new DisassemblyError(
      `${origin} holds no SASS instructions (expected the output of cuobjdump -sass or nvdisasm)`,
    );
  return { tool: listing.format, command: [origin], listing, unreadLines };
}

/** The text of a saved listing: plain, or gzipped (the gzip magic bytes decide). */
export function listingText(bytes: Uint8Array): string {
  const raw = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  return new TextDecoder().decode(raw);
}
