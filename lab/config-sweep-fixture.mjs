// Folds bench runs (`fp8lab bench --kernel KIND --json`, any grouped or BF16 kind, or the FP8 GEMM's
// `fp8lab bench --shapes ... --json`, whose results carry a problem instead of a case) of the same
// cases under different configs (--config, or the heuristics' picks of some commit) into one fixture:
// per case, each config's median µs over its runs, with each peer's median timed beside it in the
// same processes, each run's fastest rounds and, where both kept their rounds, the median of the
// per-round ratios (peer / ours). The cost-model tests read these to check that the models rank
// tiles as they measured.
// Usage: node lab/config-sweep-fixture.mjs "COMMAND" FILE... > FIXTURE.json
// (COMMAND: how the runs were made, written into the fixture.)
import { readFileSync } from 'node:fs';

const [command, ...files] = process.argv.slice(2);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round1 = (x) => Math.round(x * 10) / 10;
// Everything that makes two configs different kernels: runs of the same key are one config's repeats.
const configKey = (c) =>
  `${c.blockM}x${c.blockN} s${c.numStages} wg${c.numMathWarpgroups}${c.pingpong ? ' pp' : ''} c${c.clusterM}x${c.clusterN}` +
  `${(c.splitK ?? 1) > 1 ? ` sk${c.splitK}` : ''}${c.dSlabs ? ` ds${c.dSlabs}` : ''} sw${c.swizzleA}/${c.swizzleB}/${c.swizzleD}`;
const cases = new Map();
let device, first, last;
for (const file of files) {
  const run = JSON.parse(readFileSync(file, 'utf8'));
  device ??= run.device?.name;
  first = [first, run.startedAt].filter(Boolean).sort()[0];
  last = [last, run.finishedAt].filter(Boolean).sort().at(-1);
  for (const r of run.results) {
    if (!r.timing || !r.accuracy?.passed) continue;
    // An FP8 GEMM's problem carries the forced config too: the shape alone is the case.
    const what = r.case ?? { kind: r.problem.kind, m: r.problem.m, n: r.problem.n, k: r.problem.k };
    const key = JSON.stringify(what);
    const entry = cases.get(key) ?? { case: what, draw: r.draw, configs: new Map() };
    const cfg = entry.configs.get(configKey(r.config)) ?? {
      config: r.config,
      us: [],
      fastest: [],
      peers: new Map(),
      peersFastest: new Map(),
      paired: new Map(),
    };
    cfg.us.push(r.timing.medianUs);
    cfg.fastest.push(r.timing.minUs);
    for (const p of r.peers ?? []) {
      if (!p.timing) continue;
      cfg.peers.set(p.id, [...(cfg.peers.get(p.id) ?? []), p.timing.medianUs]);
      cfg.peersFastest.set(p.id, [...(cfg.peersFastest.get(p.id) ?? []), p.timing.minUs]);
      // Rounds alternate ours and the peer's, so a round's two times share its clock: the median of
      // the per-round ratios holds when the clock changes mid-run, the ratio of the medians may not.
      const ours = r.timing.roundsUs;
      const theirs = p.timing.roundsUs;
      if (ours?.length && ours.length === theirs?.length)
        cfg.paired.set(p.id, [...(cfg.paired.get(p.id) ?? []), median(theirs.map((t, i) => t / ours[i]))]);
    }
    entry.configs.set(configKey(r.config), cfg);
    cases.set(key, entry);
  }
}
console.log(
  JSON.stringify(
    {
      kind: 'fp8lab.configSweep',
      recorded: { device, from: first, to: last, command },
      cases: [...cases.values()].map((e) => ({
        case: e.case,
        ...(e.draw ? { draw: e.draw } : {}),
        configs: [...e.configs.values()].map((c) => ({
          config: c.config,
          medianUs: round1(median(c.us)),
          runsUs: c.us.map(round1),
          peersMedianUs: Object.fromEntries([...c.peers].map(([id, us]) => [id, round1(median(us))])),
          // Each run's fastest round, ours and each peer's, in run order (where the runs kept it).
          ...(c.fastest.every((us) => us > 0) ? { fastestRoundsUs: c.fastest.map(round1) } : {}),
          ...([...c.peersFastest.values()].flat().every((us) => us > 0) && c.peersFastest.size
            ? {
                peersFastestRoundsUs: Object.fromEntries([...c.peersFastest].map(([id, us]) => [id, us.map(round1)])),
              }
            : {}),
          ...(c.paired.size
            ? {
                peersPairedRatio: Object.fromEntries(
                  [...c.paired].map(([id, r]) => [id, Math.round(median(r) * 1e4) / 1e4]),
                ),
              }
            : {}),
        })),
      })),
    },
    null,
    1,
  ),
);
