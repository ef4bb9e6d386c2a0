// The environment report as the views show it when kernels cannot be compiled or run: what was
// found, and plainly what can and cannot be done here.

import type { CodedErrorData, EnvironmentReport } from '../../../extension/protocol/worker';
import { firstClause } from '../../../extension/src/core/benchChoices';
import { h } from './dom';

/**
 * `detailsFolded`: the found-items list behind a "What was found" toggle, the verdict line alone in
 * view (the side bar, where the list would push the view's own controls below the fold).
 */
export function environmentBlock(
  env: EnvironmentReport | undefined,
  error: CodedErrorData | undefined,
  options: { detailsFolded?: boolean } = {},
): HTMLElement {
  if (!env) {
    return h(
      'section',
      { class: 'env error', role: 'alert' },
      h('strong', {}, 'The runtime did not report the environment. '),
      error ? `${error.code}: ${error.message}` : 'Waiting for the runtime worker…',
    );
  }
  const dev = env.devices[0];
  // Short lines (first clause); the full message, with every path tried, is the line's tooltip.
  const lines: [string, string, string?][] = [
    [
      'GPU',
      dev
        ? `${dev.name} (sm_${dev.computeCapability.join('')}, ${dev.smCount} SMs)${dev.isHopper ? '' : ' — not Hopper'}`
        : 'none found',
    ],
    env.driver.ok
      ? ['Driver', `${env.driver.versionText} (${env.driver.libcudaPath})`]
      : ['Driver', `${env.driver.code}: ${firstClause(env.driver.message)}`, env.driver.message],
    env.toolkit.usable
      ? ['Toolkit', `nvcc ${env.toolkit.version ?? '?'} (${env.toolkit.nvccPath})`]
      : ['Toolkit', `not usable: ${firstClause(env.toolkit.problem ?? 'unknown reason')}`, env.toolkit.problem],
    env.cublasLt.available
      ? ['cuBLASLt', env.cublasLt.path ?? 'available']
      : [
          'cuBLASLt',
          `not available${env.cublasLt.problem ? `: ${firstClause(env.cublasLt.problem)}` : ''}`,
          env.cublasLt.problem,
        ],
    ['JIT cache', `${env.cache.dir} (${env.cache.entries} entries${env.cache.writable ? '' : ', not writable'})`],
  ];
  const can = env.canRunKernels
    ? 'Kernels can be compiled and timed on this machine.'
    : env.canCompileKernels
      ? 'No usable Hopper GPU: kernels cannot be timed here. Study mode works: configs, compile, registers.'
      : 'No usable CUDA toolkit: kernels can be neither compiled nor timed here. Candidate configs are still listed.';
  const found = h('dl', {}, ...lines.flatMap(([k, v, full]) => [h('dt', {}, k), h('dd', { title: full }, v)]));
  return h(
    'section',
    { class: env.canRunKernels ? 'env ok' : 'env limited', role: env.canRunKernels ? undefined : 'status' },
    h('p', { class: 'env-summary' }, h('strong', {}, env.summary), ' ', can),
    options.detailsFolded ? h('details', { class: 'env-found' }, h('summary', {}, 'What was found'), found) : found,
  );
}
