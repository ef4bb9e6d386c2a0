// Checks the results panel showing a recorded GROUPED run (a GroupedBenchRun as the runtime wrote
// it, e.g. test/fixtures/h100/grouped-masked.json, opened through the run store) against that JSON,
// in the webview's DOM: the grouped title and "recorded" provenance, one table row per case with
// its kind, groups, TFLOPS and GB/s (TB/s × 1000) as raw data-value and as the table writes them,
// one time column per peer the run measured (DeepGEMM beside ours on the same drawn groups) with
// each case's peer time, and one bar per timed implementation and case and one roofline point per
// timed case. Nothing here knows particular numbers: everything is read from the run given.

const fold = (t) => t.replace(/\s+/g, ' ').trim();

/** Peers the run measured (ids in the order the runtime wrote them). */
const measuredPeers = (run) => (run.peers ?? []).filter((p) => p.available);

/** What each checked cell of a grouped result must hold: [key, raw data-value, shown text or undefined (text not checked)]. */
export function expectedGroupedCells(result, run) {
  const t = result.timing;
  const peerCells = measuredPeers(run).map(({ id }) => {
    const us = (result.peers ?? []).find((p) => p.id === id)?.timing?.medianUs;
    return [`peer.${id}.us`, us === undefined ? '' : String(us), us === undefined ? undefined : us.toFixed(2)];
  });
  return [
    ...peerCells,
    ['kind', result.case.kind, result.case.kind],
    ['groups', String(result.case.numGroups), String(result.case.numGroups)],
    ['m', String(result.problem.m), String(result.problem.m)],
    ['tflops', t ? String(t.tflops) : '', t ? t.tflops.toFixed(1) : '—'],
    ['gbps', t ? String(t.tbps * 1000) : '', t ? (t.tbps * 1000).toFixed(0) : '—'],
    [
      'calcDiff',
      result.accuracy ? String(result.accuracy.calcDiff) : '',
      result.accuracy ? result.accuracy.calcDiff.toExponential(2) : '—',
    ],
    ['flopsOver', t ? t.flopsOver : '', undefined],
  ];
}

/** Throws on the first few mismatches; returns a one-line summary. `frame` is the panel's content frame. */
export async function checkGroupedRun(frame, run) {
  const problems = [];
  const h1 = fold(await frame.locator('h1').first().innerText());
  if (!/grouped GEMM/.test(h1)) problems.push(`the title does not say grouped GEMM: ${h1}`);
  if (run.recorded) {
    const badge = frame.locator('.badge.recorded');
    if (!(await badge.count())) problems.push('no .badge.recorded in the panel');
    else if (!fold(await badge.innerText()).includes(fold(run.recorded)))
      problems.push("the badge does not show the run's provenance");
  }
  const header = fold(await frame.locator('header').innerText());
  const peers = measuredPeers(run);
  const peerHeaders = await frame.locator('table.data th', { hasText: /cuBLASLt|DeepGEMM|torch/ }).allInnerTexts();
  if (!peers.length) {
    if (peerHeaders.length) problems.push(`${peerHeaders.length} peer column(s) for a run that measured no peer`);
    if (!/No peer was timed in this run/.test(header))
      problems.push(`the header does not say no peer was timed: ${header.slice(0, 300)}`);
  } else {
    for (const p of peers) {
      if (!header.includes(p.name))
        problems.push(`the header does not name ${p.name} among the peers timed: ${header.slice(0, 300)}`);
      if (!peerHeaders.some((t) => fold(t).includes(p.name.split(' ')[0])))
        problems.push(`no column header for ${p.name} (headers: ${peerHeaders.join(' | ')})`);
    }
  }

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
    problems.push(`the table has ${rows.length} rows, the run ${run.results.length} cases`);
  let cells = 0;
  const seen = new Set();
  for (const row of rows) {
    const result = run.results[Number(row.index)];
    if (row.index === undefined || !result) {
      problems.push(`a table row has no run case (data-row-index=${row.index})`);
      continue;
    }
    seen.add(Number(row.index));
    for (const [key, value, text] of expectedGroupedCells(result, run)) {
      const cell = row.cells[key];
      const where = `case ${row.index} (${result.case.kind} ${result.case.numGroups} groups)`;
      if (!cell) {
        problems.push(`${where}: no "${key}" cell`);
        continue;
      }
      if (cell.value !== value) problems.push(`${where} ${key}: data-value ${cell.value}, JSON ${value}`);
      if (text !== undefined && cell.text !== text)
        problems.push(`${where} ${key}: shows "${cell.text}", expected "${text}"`);
      cells++;
    }
  }
  if (seen.size !== run.results.length) problems.push(`rows cover ${seen.size} of ${run.results.length} cases`);

  const timed = run.results.filter((r) => r.timing);
  const barTitles = await frame.locator('section.charts svg rect.bar.ours title').allTextContents();
  const shownTflops = barTitles.map((t) => / ours ([\d.]+) TFLOPS/.exec(t)?.[1]).sort();
  const wantTflops = timed.map((r) => r.timing.tflops.toFixed(1)).sort();
  if (JSON.stringify(shownTflops) !== JSON.stringify(wantTflops))
    problems.push(`bar TFLOPS [${shownTflops}] differ from the run's [${wantTflops}]`);
  let peerBars = 0;
  for (const { id } of peers) {
    const titles = await frame.locator(`section.charts svg rect.bar.peer.series-${id} title`).allTextContents();
    const shown = titles.map((t) => / ([\d.]+) TFLOPS/.exec(t)?.[1]).sort();
    const want = run.results
      .map((r) => (r.peers ?? []).find((p) => p.id === id)?.timing?.tflops)
      .filter((x) => x !== undefined)
      .map((x) => x.toFixed(1))
      .sort();
    if (JSON.stringify(shown) !== JSON.stringify(want))
      problems.push(`${id} bar TFLOPS [${shown}] differ from the run's [${want}]`);
    peerBars += titles.length;
  }
  const strayBars = await frame.locator('section.charts svg rect.bar.peer title').count();
  if (strayBars !== peerBars)
    problems.push(`${strayBars - peerBars} bar(s) of a peer the run did not measure (cuBLASLt has no grouped form)`);
  const points = await frame.locator('section.charts svg circle.point.ours').count();
  if (points !== timed.length) problems.push(`${points} roofline points for ${timed.length} timed cases`);

  // The charts' slanted case labels (long for grouped cases) are drawn whole, inside their chart.
  const labels = await frame.locator('section.charts svg text.tick[transform]').evaluateAll((texts) =>
    texts.map((t) => {
      const r = t.getBoundingClientRect();
      const svg = t.ownerSVGElement.getBoundingClientRect();
      const past = { left: svg.left - r.left, bottom: r.bottom - svg.bottom };
      return { text: t.textContent, past, outside: past.left > 0.5 || past.bottom > 0.5 };
    }),
  );
  if (!labels.length) problems.push('no slanted case labels under the charts');
  const cut = labels.filter((l) => l.outside);
  if (cut.length) {
    const { text, past } = cut[0];
    problems.push(
      `${cut.length} slanted label(s) reach outside their chart, e.g. "${text}" ${past.left.toFixed(0)} px past its left, ${past.bottom.toFixed(0)} px past its bottom`,
    );
  }

  if (problems.length) throw new Error(`${problems.length} mismatch(es):\n${problems.slice(0, 12).join('\n')}`);
  return `${rows.length} case rows, ${cells} cells equal the JSON; ${barTitles.length} bars of ours, ${peerBars} of ${peers.map((p) => p.name).join(', ') || 'no peer'}, ${points} roofline points; ${labels.length} slanted labels inside their charts`;
}
