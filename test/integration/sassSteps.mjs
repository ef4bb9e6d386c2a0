// The SASS steps of the Playwright scenario (a block of its own, called by scenario.mjs): on this
// machine there is no nvdisasm or cuobjdump, so "Show SASS of a config" must say so and offer a
// saved listing; the real H100 listings of test/fixtures/sass are then opened through that offer,
// checked against what `fp8lab sass --from` computes from the same files (instruction count, the
// QGMMA count, the control bits of the first QGMMA, a loop's size), hovered, folded; the kernel
// source hover gives the line's count; and "Compare two saved SASS listings" shows the diff.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const QGMMA_KEY = 'QGMMA 64x128x32 F32.E4M3.E4M3';
const LISTINGS = {
  left: 'm4096-n7168-k2048-128x128.nvdisasm.txt',
  right: 'm4096-n7168-k2048-256x128.nvdisasm.txt',
};

/** What the CLI of this checkout says about a fixture listing (the expectations of the view). */
function cli(repo, args) {
  return execFileSync(process.execPath, [path.join(repo, 'extension/dist/cli.js'), 'sass', ...args], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
}

export async function runSassSteps({
  page,
  step,
  shot,
  repo,
  workspace,
  palette,
  commandPick,
  webviewFrame,
  waitFor,
  notificationTexts,
  clickToastButton,
}) {
  const dir = path.join(workspace, 'sass');
  const files = {};
  for (const [side, name] of Object.entries(LISTINGS)) {
    fs.mkdirSync(dir, { recursive: true });
    files[side] = path.join(dir, name);
    fs.writeFileSync(files[side], gunzipSync(fs.readFileSync(path.join(repo, 'test/fixtures/sass', `${name}.gz`))));
  }
  const mix = JSON.parse(cli(repo, ['--from', files.left, '--mix', '--json']));
  const listingText = cli(repo, ['--from', files.left]);
  const lines = JSON.parse(cli(repo, ['--from', files.left, '--lines', '--json']));
  const diff = JSON.parse(cli(repo, ['--from', files.left, '--against-from', files.right, '--json']));
  const qgmmaCount = mix.mix.entries.find((e) => e.key === QGMMA_KEY).count;

  let frame;
  await step(
    'SASS: without nvdisasm/cuobjdump "Show SASS of a config" says so and offers a saved listing',
    async () => {
      await page.keyboard.press('Escape');
      await palette(page, 'Show SASS of a config');
      const text = await waitFor(
        'the missing-tools message',
        async () => (await notificationTexts(page)).find((t) => /No nvdisasm or cuobjdump was found/.test(t)),
        60_000,
      );
      if (!/Looked in: .*cuda/.test(text) || !/pip install nvidia-cuda-nvdisasm/.test(text))
        throw new Error(`the message does not say where it looked and what to install: ${text}`);
      const buttons = (
        await page.locator('.notifications-toasts .notification-toast-container .monaco-button').allInnerTexts()
      ).map((b) => b.trim());
      for (const b of ['Install from the Python package index', 'Open a saved listing…'])
        if (!buttons.includes(b)) throw new Error(`no "${b}" among [${buttons.join(', ')}]`);
      await shot('sass-no-tools');
      await clickToastButton(page, 'Open a saved listing…');
      const row = page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: LISTINGS.left })
        .first();
      await commandPick(page, row);
      await row.click();
      frame = await webviewFrame(page, 'h1', `SASS · sass/${LISTINGS.left}`, 60_000);
      return `"${text.slice(0, 120)}…"`;
    },
    { soft: true },
  );
  const needFrame = () => {
    if (!frame) throw new Error('the SASS view did not open (see the step above)');
  };

  await step(
    'SASS view: every instruction listed, the mix chart, the control bits of the first QGMMA in the hover pane',
    async () => {
      needFrame();
      const rows = frame.locator('table.sass-listing tr.ins');
      await waitFor('the listing rows', async () => (await rows.count()) === mix.instructions, 60_000);
      const summary = (await frame.locator('p.summary').innerText()).trim();
      if (!summary.includes(`${qgmmaCount} × ${QGMMA_KEY}`))
        throw new Error(`summary lacks ${qgmmaCount} × ${QGMMA_KEY}: ${summary}`);
      const bar = frame.locator('figure.mix svg rect.tensor').first();
      const title = await bar.locator('title').textContent();
      const box = await bar.boundingBox();
      if (!title?.includes(`${QGMMA_KEY}: ${qgmmaCount} instruction`) || !box || box.width < 2)
        throw new Error(`tensor bar: ${title} ${JSON.stringify(box)}`);
      const q = frame.locator(`tr.ins[data-key="${QGMMA_KEY}"]`).first();
      await q.scrollIntoViewIfNeeded();
      await q.hover();
      const pane = frame.locator('aside.sass-details');
      await waitFor('the hover pane for the QGMMA', async () =>
        /QGMMA\.64x128x32/.test(await pane.locator('h2').innerText()),
      );
      const paneText = (await pane.innerText()).replace(/\s+/g, ' ');
      const offset = (await q.locator('td.off').innerText()).trim();
      const expected = new RegExp(`/\\*${offset}\\*/ +QGMMA[^\\n]*;\\s+(B[-0-5]{6}:R[-0-5]:W[-0-5]:[Y-]:S\\d\\d)`).exec(
        listingText,
      )?.[1];
      if (!expected) throw new Error(`the CLI listing has no QGMMA at ${offset}`);
      if (!paneText.includes(`Control bits ${expected}`))
        throw new Error(`pane lacks "Control bits ${expected}": ${paneText.slice(0, 400)}`);
      if (
        !/across a warpgroup \(FP8 operands\)/.test(paneText) ||
        !/inferred/.test(paneText) ||
        !/NVIDIA documents none of these bits/.test(paneText)
      )
        throw new Error(`pane lacks the meaning or the provenance: ${paneText.slice(0, 500)}`);
      // The pane is on screen beside the listing (which scrolls sideways inside its own box), not
      // pushed below it or cut off: frame viewport coordinates.
      const rect = (sel) =>
        frame
          .locator(sel)
          .first()
          .evaluate((el) => {
            const r = el.getBoundingClientRect();
            return { left: r.left, right: r.right, top: r.top, vw: document.documentElement.clientWidth };
          });
      const [paneBox, wrapBox] = [await rect('aside.sass-details'), await rect('.sass-layout .table-wrap')];
      if (paneBox.left < wrapBox.right - 1 || paneBox.right > paneBox.vw + 1 || paneBox.left < 0)
        throw new Error(`pane ${JSON.stringify(paneBox)} vs listing ${JSON.stringify(wrapBox)}`);
      const bits = await frame.locator('aside.sass-details code.bits').evaluate((el) => ({
        h: el.getBoundingClientRect().height,
        lh: parseFloat(getComputedStyle(el).lineHeight) || 20,
      }));
      if (bits.h > bits.lh * 1.5) throw new Error(`the control-bits word wraps (${bits.h}px high)`);
      await shot('sass-view-hover');
      return `${mix.instructions} rows; ${summary.slice(0, 120)}; QGMMA at ${offset}: ${expected}`;
    },
    { soft: true },
  );

  await step(
    'SASS view: a loop folds and unfolds',
    async () => {
      needFrame();
      const head = frame.locator('tr.loop-head').first();
      const size = Number(/· (\d+) instructions ·/.exec(await head.innerText())?.[1]);
      const visible = () => frame.locator('table.sass-listing tr.ins:not([hidden])').count();
      const before = await visible();
      await head.locator('button.fold').click();
      await waitFor('the loop folded', async () => (await visible()) === before - size);
      if ((await head.locator('button.fold').getAttribute('aria-expanded')) !== 'false')
        throw new Error('aria-expanded did not turn false');
      await shot('sass-loop-folded');
      await head.locator('button.fold').click();
      await waitFor('the loop unfolded', async () => (await visible()) === before);
      return `loop of ${size} instructions: ${before} -> ${before - size} -> ${before} rows`;
    },
    { soft: true },
  );

  await step(
    'SASS: hovering the kernel source line the most tensor-core instructions came from gives its count',
    async () => {
      // The line with the most direct tensor-core instructions, per the CLI on the same listing.
      let best;
      for (const [file, byLine] of Object.entries(lines.counts)) {
        if (!file.startsWith('kernels/')) continue;
        for (const [line, c] of Object.entries(byLine))
          if (!best || c.directTensor > best.c.directTensor) best = { file, line: Number(line), c };
      }
      const source = fs.readFileSync(path.join(workspace, best.file), 'utf8').split('\n')[best.line - 1];
      const needle = source.trim();
      const { openFileAtLine, hoverOver } = await import('./editor.mjs');
      await openFileAtLine(page, path.basename(best.file), `${best.line}:1`);
      const want = `this line became ${best.c.direct} SASS instructions (${best.c.directTensor} tensor-core)`;
      const hover = await hoverOver(page, needle, 0, 3, (t) => t.includes(want));
      await shot('sass-source-hover');
      return `${best.file}:${best.line}: "${(await hover.innerText()).replace(/\s+/g, ' ').slice(0, 160)}"`;
    },
    { soft: true },
  );

  await step(
    'SASS diff of two saved listings: the mix deltas and the aligned listing',
    async () => {
      await page.keyboard.press('Escape');
      await palette(page, 'Compare two saved SASS listings');
      for (const name of [LISTINGS.left, LISTINGS.right]) {
        const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: name }).first();
        await commandPick(page, row);
        await row.click();
      }
      const f = await webviewFrame(page, 'h1', 'SASS diff', 60_000);
      const q = f.locator('table.mix-delta tbody tr', { hasText: QGMMA_KEY });
      await q.waitFor({ timeout: 60_000 });
      const cells = (await q.locator('td').allInnerTexts()).map((c) => c.trim());
      // The delta table fits the panel: its last column is on screen.
      const lastCell = await q
        .locator('td')
        .last()
        .evaluate((el) => el.getBoundingClientRect().right <= document.documentElement.clientWidth + 1);
      if (!lastCell) throw new Error('the delta column of the mix table is off screen');
      const want = diff.mixDelta.find((m) => m.key === QGMMA_KEY);
      if (cells.join('|') !== `${QGMMA_KEY}|${want.left}|${want.right}|${want.delta}`)
        throw new Error(`QGMMA delta row ${cells.join('|')}, CLI ${JSON.stringify(want)}`);
      const rows = f.locator('table.sass-diff tbody tr');
      await waitFor('the aligned rows', async () => (await rows.count()) === diff.rows.length, 60_000);
      const bg = (sel) =>
        f
          .locator(sel)
          .first()
          .evaluate((el) => getComputedStyle(el.querySelector('td')).backgroundColor);
      const [same, left] = [await bg('tr.diff.same'), await bg('tr.diff.left')];
      if (same === left) throw new Error(`removed rows look like matched ones (${left})`);
      await f.locator('table.mix-delta').scrollIntoViewIfNeeded();
      await shot('sass-diff');
      return `${cells.join(' | ')}; ${diff.rows.length} aligned rows (${diff.aligned.same} matched); removed rows ${left} vs ${same}`;
    },
    { soft: true },
  );

  await step(
    "SASS: a results row's SASS button leads to the same message (no tools here)",
    async () => {
      const results = await webviewFrame(page, 'h1', 'FP8 GEMM study run', 60_000);
      const before = (await notificationTexts(page)).filter((t) => /No nvdisasm or cuobjdump was found/.test(t)).length;
      const button = results.locator('table.data tbody tr').first().locator('button', { hasText: 'SASS' });
      await button.click();
      await waitFor(
        'a new missing-tools message',
        async () =>
          (await notificationTexts(page)).filter((t) => /No nvdisasm or cuobjdump was found/.test(t)).length > before ||
          (await notificationTexts(page)).some((t) => /No nvdisasm or cuobjdump was found/.test(t) && before === 0),
        60_000,
      );
      await shot('sass-from-results-row');
      return 'the row button ran "Show SASS of a config" for its shape and config';
    },
    { soft: true },
  );
}
