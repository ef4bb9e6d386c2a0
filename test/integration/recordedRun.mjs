// Checks the results panel showing a recorded BenchRun against the run's JSON, in the webview's DOM:
// every timed cell (raw figure in data-value, and the text as the results table formats it), the
// "recorded" badge with the run's provenance, one "ours" bar per timed shape and one roofline point
// per timed shape. Nothing here knows particular numbers: everything is read from the run given.

/** A result's cuBLASLt entry as { timing, skipped }, whichever way the run stores it. */
function cublaslt(r) {
  const p = r.peers?.find((x) => x.id === 'cublaslt');
  if (p) return p;
  if (!r.peer) return undefined;
  return 'skipped' in r.peer ? { skipped: r.peer.skipped } : { timing: r.peer };
}

/** The timed columns of webview/src/apps/results.ts: where the run holds the figure, and how the table writes it. */
export const TIMED_COLUMNS = [
  { key: 'us', of: (r) => r.timing?.medianUs, text: (v) => v.toFixed(2) },
  { key: 'tflops', of: (r) => r.timing?.tflops, text: (v) => v.toFixed(1) },
  { key: 'gbps', of: (r) => r.timing?.gbps, text: (v) => v.toFixed(0) },
  // The cuBLASLt peer's pair: from `peers`, or from the one cuBLASLt column of a run recorded before them.
  {
    key: 'peer.cublaslt.us',
    of: (r) => cublaslt(r)?.timing?.medianUs,
    text: (v) => v.toFixed(2),
    absent: (r) => (cublaslt(r)?.skipped ? 'skipped' : '—'),
  },
  { key: 'peer.cublaslt.ratio', of: (r) => cublaslt(r)?.timing?.ratio, text: (v) => `${v.toFixed(2)}x` },
  { key: 'calcDiff', of: (r) => r.accuracy?.calcDiff, text: (v) => v.toExponential(2) },
];

/** What each timed cell of a result must hold: [key, raw data-value, shown text]. */
export function expectedCells(result) {
  return TIMED_COLUMNS.map((c) => {
    const v = c.of(result);
    return v === undefined ? [c.key, '', c.absent ? c.absent(result) : '—'] : [c.key, String(v), c.text(v)];
  });
}

const fold = (t) => t.replace(/\s+/g, ' ').trim();

/** Throws on the first few mismatches; returns a one-line summary. `frame` is the panel's content frame. */
export async function checkRecordedRun(frame, run) {
  const problems = [];

  // "recorded" and where/when it was recorded.
  const badge = frame.locator('.badge.recorded');
  if (!(await badge.count())) problems.push('no .badge.recorded in the panel');
  else {
    const text = fold(await badge.innerText());
    if (!/^recorded\b/.test(text)) problems.push(`the badge does not start with "recorded": ${text}`);
    if (!text.includes(fold(run.recorded)))
      problems.push(`the badge does not show the run's provenance "${run.recorded}": ${text}`);
    if (!(await badge.isVisible())) problems.push('the recorded badge is not visible');
  }
  const meta = fold(await frame.locator('header').innerText());
  if (run.device && !meta.includes(run.device.name))
    problems.push(`the header does not name the device ${run.device.name}`);

  // The table: one row per result, every timed cell equal to the JSON.
  const rows = await frame.locator('table.data tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      index: tr.querySelector('[data-row-index]')?.getAttribute('data-row-index'),
      cells: Object.fromEntries(
        Array.from(tr.querySelectorAll('td[data-key]')).map((td) => [
          td.dataset.key,
          { value: td.dataset.value, text: td.textContent.trim() },
        ]),
      ),
    })),
  );
  if (rows.length !== run.results.length)
    problems.push(`the table has ${rows.length} rows, the run ${run.results.length} results`);
  let cells = 0;
  const seen = new Set();
  for (const row of rows) {
    const result = run.results[Number(row.index)];
    if (row.index === undefined || !result) {
      problems.push(`a table row has no run result (data-row-index=${row.index})`);
      continue;
    }
    seen.add(Number(row.index));
    const p = result.problem;
    for (const [key, value, text] of expectedCells(result)) {
      const cell = row.cells[key];
      if (!cell) {
        problems.push(`${p.m}x${p.n}x${p.k}: no "${key}" cell`);
        continue;
      }
      if (cell.value !== value) problems.push(`${p.m}x${p.n}x${p.k} ${key}: data-value ${cell.value}, JSON ${value}`);
      if (cell.text !== text)
        problems.push(`${p.m}x${p.n}x${p.k} ${key}: shows "${cell.text}", the JSON's ${value} formats as "${text}"`);
      cells++;
    }
  }
  if (seen.size !== run.results.length) problems.push(`rows cover ${seen.size} of ${run.results.length} results`);

  // The charts: an "ours" bar per timed shape (their tooltips carry the TFLOPS), a roofline point per timed shape.
  const timed = run.results.filter((r) => r.timing);
  const barTitles = await frame.locator('section.charts svg rect.bar.ours title').allTextContents();
  if (barTitles.length !== timed.length)
    problems.push(`${barTitles.length} "ours" bars for ${timed.length} timed shapes`);
  const shownTflops = barTitles.map((t) => / ours ([\d.]+) TFLOPS/.exec(t)?.[1]).sort();
  const wantTflops = timed.map((r) => r.timing.tflops.toFixed(1)).sort();
  if (JSON.stringify(shownTflops) !== JSON.stringify(wantTflops))
    problems.push(`bar TFLOPS [${shownTflops}] differ from the run's [${wantTflops}]`);
  const points = await frame.locator('section.charts svg circle.point.ours').count();
  if (points !== timed.length) problems.push(`${points} roofline points for ${timed.length} timed shapes`);
  const svgs = await frame.locator('section.charts svg').count();
  if (svgs < 2) problems.push(`${svgs} chart SVG(s), expected the bars and the roofline`);

  if (problems.length) throw new Error(`${problems.length} mismatch(es):\n${problems.slice(0, 12).join('\n')}`);
  return `${rows.length} rows, ${cells} timed cells equal the JSON; recorded badge with provenance; ${barTitles.length} bars, ${points} roofline points`;
}
