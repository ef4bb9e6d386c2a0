// The Config Explorer on the kernel kinds beyond the FP8 and plain BF16 GEMMs, as a person sees them
// in the installed .vsix: pick bf16-kgrouped and type a grouped case, then the FP8 masked kind, the
// FP8 wgrad kind (its reason naming the tail split), the FP8 K-grouped one (a candidate compiled from
// the wide explorer), then mqa-logits and a case; the side bar lists them compactly with nothing wider than the view, and the editor-tab explorer
// shows the chosen row (marked, with "why this one") and a rejected row's rule and reason, the
// reason wrapping inside the view. Asserts computed styles and positions, not only that nodes exist.
import { checkExplorerFits, contrast, parseRgb } from './views.mjs';

/** Lists a kind's candidates from the side bar and waits for its heading (or fails with the view's error). */
async function listFromSideBar(side, kind, shape, heading, waitFor) {
  await side.locator('select[aria-label="Kernel kind"]').selectOption(kind);
  const placeholder = await side.locator('input#shape').getAttribute('placeholder');
  await side.locator('input#shape').fill(shape);
  await side.locator('input#shape').press('Enter');
  const h2 = side.locator('h2', { hasText: heading });
  const message = side.locator('p.form-message');
  const shown = await waitFor(`the ${kind} candidates in the side bar`, async () => {
    if (await h2.count()) return 'list';
    const m = (await message.count()) ? (await message.innerText()).trim() : '';
    return m ? `error: ${m}` : undefined;
  });
  if (shown !== 'list') throw new Error(`${kind} ${shape}: the view answered with ${shown}`);
  return { title: (await h2.innerText()).trim(), placeholder };
}

/** The compact side bar: a rejected group names its rule and a reason, and nothing overflows. */
async function checkSideBar(side, kind) {
  const fits = await checkExplorerFits(side);
  const li = side.locator('.rejected-groups li').first();
  const text = (await li.innerText()).replace(/\s+/g, ' ').trim();
  if (!/^[a-z-]+ × \d+ — e\.g\. .+: .{20,}/.test(text))
    throw new Error(`${kind}: the first rejected group reads "${text}"`);
  return `${fits}; "${text.slice(0, 70)}…"`;
}

/**
 * The editor-tab explorer: the chosen row bold with its green mark and "chosen" status, the why; the
 * rejected list opened, its first row's reason fully inside the view and readable.
 */
async function checkWide(frame, kind, statusColumn) {
  const chosen = frame.locator('table.data tbody tr.chosen').first();
  await chosen.waitFor({ timeout: 30_000 });
  const cells = await chosen.locator('td').allInnerTexts();
  const status = cells[statusColumn(cells)] ?? '';
  if (!/chosen/.test(status)) throw new Error(`${kind}: the chosen row's status is "${status}" (${cells.join(' | ')})`);
  const mark = await chosen
    .locator('td')
    .first()
    .evaluate((td) => {
      const s = getComputedStyle(td);
      return { width: s.borderLeftWidth, color: s.borderLeftColor, weight: s.fontWeight };
    });
  const markColour = parseRgb(mark.color);
  if (mark.width !== '3px' || !markColour || markColour.a < 0.3 || Number(mark.weight) < 600)
    throw new Error(
      `${kind}: the chosen row is not marked (border ${mark.width} ${mark.color}, weight ${mark.weight})`,
    );
  const why = (await frame.locator('.chosen-card p.why').innerText()).replace(/\s+/g, ' ').trim();
  if (!/why this one: .{40,}/.test(why)) throw new Error(`${kind}: no "why this one" for the chosen config: "${why}"`);

  const details = frame.locator('details.rejected-list');
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  const row = details.locator('table.data tbody tr.rejected').first();
  await row.waitFor({ timeout: 30_000 });
  const reason = row.locator('td').last();
  const text = (await reason.innerText()).replace(/\s+/g, ' ').trim();
  const [, rule] = /^([a-z-]+): .{20,}$/.exec(text) ?? [];
  if (!rule) throw new Error(`${kind}: a rejected row's last cell reads "${text}", not "rule: reason"`);
  // Into view vertically only: the reason must be readable without scrolling the table sideways.
  const box = await reason.evaluate((td) => {
    for (const w of document.querySelectorAll('.table-wrap')) w.scrollLeft = 0;
    const top = td.getBoundingClientRect().top;
    window.scrollBy(0, top - window.innerHeight / 3);
    const r = td.getBoundingClientRect();
    const s = getComputedStyle(td);
    return {
      left: r.left,
      right: r.right,
      top: r.top,
      bottom: Math.min(r.bottom, r.top + 40),
      vh: window.innerHeight,
      vw: document.documentElement.clientWidth,
      clipped: td.scrollWidth > td.clientWidth + 1,
      whiteSpace: s.whiteSpace,
      color: s.color,
      background: getComputedStyle(document.body).backgroundColor,
    };
  });
  if (box.left < 0 || box.right > box.vw + 1 || box.clipped || box.bottom > box.vh || box.top < 0)
    throw new Error(
      `${kind}: the reason "${text.slice(0, 40)}…" does not fit (cell ${Math.round(box.left)}..${Math.round(box.right)} in ${box.vw} px, white-space ${box.whiteSpace}${box.clipped ? ', clipped' : ''})`,
    );
  const fg = parseRgb(box.color);
  const bg = parseRgb(box.background);
  if (!fg || (bg && bg.a > 0 && contrast(fg, bg) < 1.5))
    throw new Error(`${kind}: the reason's colour ${box.color} is not readable on ${box.background}`);
  return `chosen row "${cells.slice(0, 8).join(' ')}…"; rejected (${rule}): "${text.slice(0, 60)}…" inside ${box.vw} px`;
}

/** Checks a legal row that is not the chosen one, presses Compile, and waits for its registers. */
async function compileOneCandidate(frame, kind, waitFor) {
  const headers = (await frame.locator('table.data').first().locator('th').allInnerTexts()).map((t) => t.trim());
  const regsAt = headers.indexOf('regs');
  const spillsAt = headers.indexOf('spills');
  if (regsAt < 0 || spillsAt < 0) throw new Error(`${kind}: no regs/spills columns in ${headers.join(', ')}`);
  const row = frame.locator('table.data').first().locator('tbody tr:not(.chosen):not(.rejected)').first();
  await row.locator('input[type=checkbox]').check();
  const compile = frame.locator('button', { hasText: 'Compile' });
  if (await compile.isDisabled())
    throw new Error(`${kind}: Compile is disabled (${await compile.getAttribute('title')})`);
  await compile.click();
  const cells = await waitFor(
    `the ${kind} candidate compiled`,
    async () => {
      const c = await row.locator('td').allInnerTexts();
      if (/compile failed/.test(c.join(' ')))
        throw Object.assign(new Error(`${kind}: ${c.join(' | ')}`), { fatal: true });
      return /^\d{2,3}$/.test((c[regsAt] ?? '').trim()) ? c : undefined;
    },
    300_000,
  );
  if (cells[spillsAt].trim() !== '0') throw new Error(`${kind}: the compiled candidate spills ${cells[spillsAt]} B`);
  await row.scrollIntoViewIfNeeded();
  const status = cells[cells.length - 1].trim();
  if (!/compiled/.test(status)) throw new Error(`${kind}: the compiled row's status reads "${status}"`);
  return `compiled ${cells.slice(1, 5).join(' ')}: ${cells[regsAt]} regs, ${status}`;
}

/**
 * The whole check. `side`: the side-bar explorer's frame; `wideFrame(text)`: the editor-tab explorer's
 * frame once its heading shows text; `waitFor(what, fn)`: the scenario's poller.
 */
export async function checkExplorerKinds({ side, wideFrame, openWide, waitFor, shot }) {
  const out = [];
  // bf16-kgrouped: a K-grouped case typed as its bench takes it.
  const kg = await listFromSideBar(side, 'bf16-kgrouped', '4,4096,7168,8192', 'bf16-kgrouped 4 groups', waitFor);
  if (!/^G,M,N,K/.test(kg.placeholder ?? '')) throw new Error(`bf16-kgrouped placeholder is "${kg.placeholder}"`);
  if (!/\d+ legal of \d+ candidates/.test(kg.title)) throw new Error(`unexpected heading: ${kg.title}`);
  out.push(`side: ${kg.title}; ${await checkSideBar(side, 'bf16-kgrouped')}`);
  await shot('explorer-bf16-kgrouped-side');
  await openWide();
  const wideKg = await wideFrame('bf16-kgrouped 4 groups');
  out.push(`wide: ${await checkWide(wideKg, 'bf16-kgrouped', (cells) => cells.length - 1)}`);
  // Its config picture lays out the BF16 kernel's own shared memory: fp32 D staging, A and B in every
  // stage, no scale segments and no "scales" in the legend (the FP8 layout drew both).
  const pic = await wideKg
    .locator('.config-picture-section svg')
    .first()
    .evaluate((svg) => ({
      scales: svg.querySelectorAll('.smem-sfa, .smem-sfb').length,
      a: svg.querySelectorAll('rect.smem-a').length,
      d: svg.querySelectorAll('rect.smem-d').length,
      legend: [...svg.querySelectorAll('text')].map((t) => (t.textContent ?? '').trim()),
    }));
  if (pic.scales !== 0 || pic.a < 3 || pic.d < 1 || pic.legend.includes('scales') || !pic.legend.includes('D staging'))
    throw new Error(
      `bf16-kgrouped: the config picture's shared memory is not the BF16 kernel's: ${JSON.stringify(pic)}`,
    );
  out.push(`picture: ${pic.a - 1} stages of A | B, no scales`);
  await wideKg.locator('.config-picture-section').scrollIntoViewIfNeeded();
  await shot('explorer-bf16-kgrouped-wide');

  // masked (FP8): a case as its bench takes it; the 1D2D candidates, the clusters its groups refuse.
  const mk = await listFromSideBar(side, 'masked', '32,192,6144,7168', 'masked 32 groups', waitFor);
  if (!/^G,EXPECTED_M,N,K/.test(mk.placeholder ?? '')) throw new Error(`masked placeholder is "${mk.placeholder}"`);
  if (!/\d+ legal of \d+ candidates/.test(mk.title)) throw new Error(`unexpected heading: ${mk.title}`);
  out.push(`side: ${mk.title}; ${await checkSideBar(side, 'masked')}`);
  await shot('explorer-masked-side');

  // wgrad (the 1D1D kernel, one GEMM): the reason names the tail split the kernel runs for this shape
  // (704 tiles of 128x192 on 132 SMs leave 44 for the last wave), whole inside the side bar.
  const wg = await listFromSideBar(side, 'wgrad', '4096,4096,7168', 'wgrad 4096x4096x7168', waitFor);
  const why = side.locator('.chosen-card p.why');
  const whyText = (await why.innerText()).replace(/\s+/g, ' ').trim();
  if (!/the last wave's 44 tiles split in 3 along K/.test(whyText))
    throw new Error(`wgrad 4096x4096x7168: the reason does not name the tail split: "${whyText}"`);
  const whyBox = await why.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { overflow: el.scrollWidth - el.clientWidth, right: r.right, width: document.documentElement.clientWidth };
  });
  if (whyBox.overflow > 1 || whyBox.right > whyBox.width + 1)
    throw new Error(`wgrad: the reason is cut off (${JSON.stringify(whyBox)})`);
  out.push(`side: ${wg.title}; the reason names the tail split`);

  // kgrouped (FP8, the 1D1D kernel): a candidate other than the chosen one, compiled with the real
  // nvcc from the wide explorer; its row then shows the registers ptxas reported and no spills.
  const kgf = await listFromSideBar(side, 'kgrouped', '4,4096,7168,8192', 'kgrouped 4 groups', waitFor);
  out.push(`side: ${kgf.title}`);
  await openWide();
  const wideKgf = await wideFrame('kgrouped 4 groups');
  // The wide explorer is one panel: wait until it shows this kind, not the bf16-kgrouped list before.
  await waitFor('the wide explorer on kgrouped', async () =>
    /^kgrouped /.test((await wideKgf.locator('h2').first().innerText()).trim()),
  );
  out.push(`wide: ${await compileOneCandidate(wideKgf, 'kgrouped', waitFor)}`);
  await shot('explorer-kgrouped-compiled');

  // mqa-logits: a plain case; its rows have their own columns.
  const mqa = await listFromSideBar(side, 'mqa-logits', '2048,8192,64,128', 'mqa-logits SQ=2048', waitFor);
  if (!/^SEQ_Q,SEQ_KV,HEADS,DIM/.test(mqa.placeholder ?? ''))
    throw new Error(`mqa-logits placeholder is "${mqa.placeholder}"`);
  if (!/\d+ legal of 72 kernel configs/.test(mqa.title)) throw new Error(`unexpected heading: ${mqa.title}`);
  out.push(`side: ${mqa.title}; ${await checkSideBar(side, 'mqa-logits')}`);
  await shot('explorer-mqa-side');
  const wideMqa = await wideFrame('mqa-logits SQ=2048');
  const headers = (await wideMqa.locator('table.data').first().locator('th').allInnerTexts()).map((t) => t.trim());
  for (const want of ['heads', 'dim', 'next_n', 'Q stages', 'KV stages', 'math WG', 'smem KB', 'threads'])
    if (!headers.some((t) => t.startsWith(want)))
      throw new Error(`mqa-logits table has no "${want}" column: ${headers.join(', ')}`);
  const chosenCells = await wideMqa.locator('table.data tbody tr.chosen td').allInnerTexts();
  const col = (name) => chosenCells[headers.findIndex((t) => t.startsWith(name))];
  const runtime = [
    col('heads'),
    col('dim'),
    col('next_n'),
    col('Q stages'),
    col('KV stages'),
    col('math WG'),
    col('threads'),
  ];
  if (runtime.join(',') !== '64,128,1,3,3,4,640')
    throw new Error(`the chosen MQA row is ${runtime.join(',')}, not the runtime's 64,128,1,3,3,4,640`);
  out.push(`wide: ${await checkWide(wideMqa, 'mqa-logits', (cells) => cells.length - 1)}`);
  await shot('explorer-mqa-wide');
  return out.join(' | ');
}
