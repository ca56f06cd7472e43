// Debian's Chromium driven by Playwright (no browser download), a phone-sized page, axe-core in the page and
// screenshots under target/h5-screenshots.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { targetDir } from './stack.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
export const shots = join(targetDir, 'h5-screenshots');

export async function launch() {
  mkdirSync(shots, { recursive: true });
  // Playwright gives every launch a fresh, empty --user-data-dir of its own.
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
  });
}

export async function phone(browser) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai'
  });
  context.setDefaultTimeout(30_000);
  return context;
}

/** Violations of impact serious or critical on the page as it is now. */
export async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | '));
}

async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('main').textContent.includes('正在查询'));
}

/**
 * Checks the screen in normal mode and in 长辈模式 (the toggle re-renders it): no serious or critical axe violation,
 * a screenshot of each. Leaves the page in the mode it found it in.
 */
export async function checkScreen(page, name) {
  await settled(page);
  const elderBefore = await page.evaluate(() => document.body.classList.contains('elder'));
  for (const round of [0, 1]) {
    const elder = await page.evaluate(() => document.body.classList.contains('elder'));
    const found = await axe(page);
    assert.deepEqual(found, [], name + (elder ? ' (长辈模式)' : '') + ': accessibility violations');
    await page.screenshot({ path: join(shots, name + (elder ? '-elder' : '') + '.png'), fullPage: true });
    await page.getByTestId('elder-toggle').click();
    await page.waitForFunction(e => document.body.classList.contains('elder') === e, !elder);
    await settled(page);
    if (round === 1) {
      assert.equal(await page.evaluate(() => document.body.classList.contains('elder')), elderBefore);
    }
  }
}
