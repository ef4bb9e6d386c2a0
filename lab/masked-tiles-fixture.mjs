// Folds `fp8lab bench --kernel masked --json` runs of the same cases under different configs into
// test/fixtures/h100/masked-tiles.json: per case, each config's median µs over its runs, with
// DeepGEMM's beside it. The cost-model test reads it to check that the model ranks the tiles the way
// they measured. Usage: node lab/masked-tiles-fixture.mjs "COMMAND" FILE... > masked-tiles.json
// (COMMAND: how the runs were made, written into the fixture.)
import { readFileSync } from 'node:fs';

const [command, ...files] = process.argv.slice(2);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cfgLabel = (c) => `${c.blockM}x${c.blockN} s${c.numStages} c${c.clusterM}x${c.clusterN}`;
const cases = new Map();
let device, first, last;
for (const file of files) {
  const run = JSON.parse(readFileSync(file, 'utf8'));
  device ??= run.device.name;
  first = [first, run.startedAt].filter(Boolean).sort()[0];
  last = [last, run.finishedAt].filter(Boolean).sort().at(-1);
  for (const r of run.results) {
    if (!r.timing || !r.accuracy?.passed) continue;
    const c = r.case;
    const key = `${c.numGroups}x${c.expectedM}x${c.n}x${c.k}`;
    const entry = cases.get(key) ?? { case: c, maskedM: r.draw.maskedM, configs: new Map() };
    const label = cfgLabel(r.config);
    const cfg = entry.configs.get(label) ?? { config: r.config, us: [], deepgemmUs: [] };
    cfg.us.push(r.timing.medianUs);
    const dg = (r.peers ?? []).find((p) => p.id === 'deepgemm' && p.timing);
    if (dg) cfg.deepgemmUs.push(dg.timing.medianUs);
    entry.configs.set(label, cfg);
    cases.set(key, entry);
  }
}
const round1 = (x) => Math.round(x * 10) / 10;
console.log(
  JSON.stringify(
    {
      kind: 'fp8lab.maskedTiles',
      recorded: { device, from: first, to: last, command },
      cases: [...cases.values()].map((e) => ({
        case: e.case,
        maskedM: e.maskedM,
        configs: [...e.configs.values()].map((c) => ({
          config: c.config,
          medianUs: round1(median(c.us)),
          runsUs: c.us.map(round1),
          deepgemmMedianUs: c.deepgemmUs.length ? round1(median(c.deepgemmUs)) : null,
        })),
      })),
    },
    null,
    1,
  ),
);
