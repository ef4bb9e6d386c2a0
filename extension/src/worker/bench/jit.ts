// Compiling through the addon's JIT with the runtime settings: one place that turns
// RuntimeSettings into CompileOptions, so the GEMM kernels and the utility kernels share a cache
// and the FP8LAB_JIT_* knobs apply to both.
import { join } from 'node:path';
import type { CompileOptions, CompileResult } from '../../../../native/index';
import type { RuntimeSettings } from '../../../protocol/worker';
import type { AddonModule } from '../addon';

export function compileOptions(settings: RuntimeSettings, source: string, kernelNames: string[]): CompileOptions {
  const extraFlags: string[] = [];
  if (settings.withLineinfo) extraFlags.push('-lineinfo');
  for (const define of settings.jitDefines ?? []) extraFlags.push(`-D${define}`);
  return {
    source,
    kernelNames,
    includeDirs: [join(settings.kernelsDir, 'include')],
    cacheDir: settings.cacheDir,
    compiler: settings.compiler,
    nvccPath: settings.nvccPath,
    cudaHome: settings.cudaHome,
    extraFlags,
    ptxasCheck: settings.ptxasCheck,
    dumpPtx: settings.dumpPtx,
    dumpSass: settings.dumpSass,
    ...(settings.compileTimeoutSeconds ? { timeoutMs: settings.compileTimeoutSeconds * 1000 } : {}),
  };
}

export type Logger = (level: 'info' | 'warn' | 'error', text: string) => void;

export async function jitCompile(
  addon: AddonModule,
  settings: RuntimeSettings,
  source: string,
  kernelNames: string[],
  log?: Logger,
): Promise<CompileResult> {
  const options = compileOptions(settings, source, kernelNames);
  const result = await addon.compile(options);
  if (settings.printCompilerCommand || settings.jitDebug) {
    log?.(
      'info',
      `${result.cacheHit ? 'cache hit' : 'compiled'} ${kernelNames.join(', ')} in ${result.elapsedMs.toFixed(1)} ms: ${result.command.join(' ')}`,
    );
  }
  if (settings.ptxasVerbose && result.ptxasLog) log?.('info', result.ptxasLog.trimEnd());
  return result;
}

/**
 * Runs async tasks with at most `limit` at once (compiles share the addon's small thread pool with
 * synchronize and timing, so a GPU run keeps a thread free for them).
 */
export class TaskPool {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.waiting.shift()?.();
          });
      };
      if (this.running < this.limit) start();
      else this.waiting.push(start);
    });
  }
}
