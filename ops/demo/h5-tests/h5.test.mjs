// The H5 city-service app in headless Chromium against a real demo stack: on each channel a citizen logs in, steps
// up, queries all four families, pays a fine and a bill, issues and verifies a proof, rates an answer and finds it
// all in 我的办件; the consent a citizen granted a partner is in 我的办件 and revoked there; a department outage shows
// the stale label, then the outage message; 长辈模式 changes sizes.
// Every screen is checked with axe-core in normal and elderly mode (no serious or critical violation).
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo } from './stack.mjs';
import { launch, phone, checkScreen, axe, shots } from './browser.mjs';

let demo;
let browser;
let people;

before(async () => {
  demo = await startDemo();
  browser = await launch();
  // Hangzhou citizens with a payable fine and an unpaid bill, one per test that pays.
  people = demo.manifest.channels.testCitizens.filter(p => p.region === '330100' && p.payableFine && p.payableBill);
  assert.ok(people.length >= 3, 'the manifest lists enough Hangzhou citizens with a fine and a bill');
});

after(async () => {
  if (browser) await browser.close();
  if (demo) await demo.stop();
});

async function open() {
  const context = await phone(browser);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  await page.goto(demo.manifest.h5.url);
  await page.getByTestId('login').waitFor();
  return { context, page, errors };
}

async function login(page, channel, person) {
  await page.getByTestId('channel-' + channel).check();
  await page.getByTestId('person').selectOption(String(person.index));
  await page.getByTestId('login').click();
  await page.getByTestId('level').filter({ hasText: 'L1' }).waitFor();
}

async function stepUp(page) {
  await page.getByTestId('go-stepup').click();
  await page.getByTestId('start-verification').click();
  await page.getByTestId('face').click();
  await page.getByTestId('level').filter({ hasText: 'L3' }).waitFor();
}

async function tile(page, name) {
  await page.locator('a.brand').click();
  await page.getByRole('link', { name, exact: true }).click();
}

async function payAtCashier(page, name) {
  await page.getByTestId('confirm-pay').waitFor();
  await checkScreen(page, name);
  await page.getByTestId('confirm-pay').click();
  const receipt = page.getByTestId('receipt');
  await receipt.waitFor({ timeout: 60_000 });
  assert.match(await receipt.textContent(), /回执号/);
  await page.screenshot({ path: join(shots, name + '-receipt.png'), fullPage: true });
}

describe('consents in my cases', () => {
  it('lists the consent the demo citizen granted the partner bank, revokes it, and shows it revoked', async () => {
    // The demo grants its partner bank a consent of one citizen at start-up (manifest partners[]).
    const granted = demo.manifest.partners[0];
    const { context, page, errors } = await open();
    // That citizen's WeChat login is already bound (the demo stepped it up to grant): any level will do.
    await page.getByTestId('channel-wechat').check();
    await page.getByTestId('person').selectOption(String(granted.citizen.index));
    await page.getByTestId('login').click();
    await page.getByTestId('level').waitFor();
    await tile(page, '我的办件');
    await page.getByTestId('case').first().waitFor();
    const consent = page.locator('[data-testid=case][data-kind=consent]');
    assert.equal(await consent.count(), 1, 'one consent in my cases');
    assert.equal(await consent.getAttribute('data-case'), 'consent-' + granted.consentId);
    assert.equal(await consent.getAttribute('data-status'), 'granted');
    const text = await consent.textContent();
    assert.match(text, /演示银行/);
    assert.match(text, /公积金账户/);
    assert.match(text, /住房贷款审批/);
    assert.match(text, /有效期至/);
    await checkScreen(page, 'consent-granted');
    await page.locator('[data-testid=case][data-kind=consent]').getByTestId('revoke-consent').click();
    await page.locator('[data-testid=case][data-kind=consent][data-status=revoked]').waitFor();
    const revoked = page.locator('[data-testid=case][data-kind=consent]');
    assert.match(await revoked.textContent(), /撤销：已完成/);
    assert.equal(await revoked.getByTestId('revoke-consent').count(), 0, 'nothing left to revoke');
    await checkScreen(page, 'consent-revoked');
    // The consents endpoint agrees.
    const listed = await page.evaluate(async () => {
      const token = JSON.parse(sessionStorage.getItem('govgate.h5')).token;
      const r = await fetch('/v1/consents', { headers: { Authorization: 'Bearer ' + token } });
      return (await r.json()).consents.map(c => c.consentId + ':' + c.status);
    });
    assert.ok(listed.includes(granted.consentId + ':revoked'), 'revoked in /v1/consents: ' + listed);
    assert.deepEqual(errors, [], 'no script errors');
    await context.close();
  });
});

for (const [n, channel] of ['alipay', 'wechat'].entries()) {
  describe('a citizen on ' + channel, () => {
    it('logs in, steps up, uses every family, pays, issues a proof, rates and finds it all in my cases', async () => {
      const person = people[n];
      const { context, page, errors } = await open();
      await checkScreen(page, channel + '-login');
      await login(page, channel, person);
      await checkScreen(page, channel + '-home');
      await page.getByTestId('go-stepup').click();
      await checkScreen(page, channel + '-stepup');
      await page.locator('a.brand').click();
      await stepUp(page);

      await tile(page, '社保查询');
      await page.getByTestId('social-account').filter({ hasText: '参保状态' }).waitFor();
      await page.getByTestId('social-contributions').getByTestId('rate-link').waitFor();
      await checkScreen(page, channel + '-social');

      await tile(page, '公积金');
      await page.getByTestId('fund-account').filter({ hasText: '余额' }).waitFor();
      await checkScreen(page, channel + '-fund');
      await page.getByTestId('issue-proof').click();
      const serial = await page.getByTestId('proof-serial').textContent();
      assert.match(serial, /^GJJ-330100-/);
      await page.waitForFunction(() => {
        const img = document.querySelector('[data-testid=proof-qr]');
        return img && img.complete && img.naturalWidth > 0;
      });
      await page.getByTestId('verify-proof').click();
      await page.getByTestId('verdict').filter({ hasText: '真实有效' }).waitFor();
      assert.deepEqual(await axe(page), [], 'proof shown: accessibility violations');
      await page.screenshot({ path: join(shots, channel + '-proof.png'), fullPage: true });

      await tile(page, '车辆与罚单');
      await page.getByTestId('vehicles').filter({ hasText: person.payableFine.plate }).waitFor();
      await checkScreen(page, channel + '-traffic');
      await page.getByTestId('fines-' + person.payableFine.plate).click();
      const fine = page.locator('li').filter({ hasText: person.payableFine.decisionNumber });
      await fine.getByTestId('pay-fine').click();
      await payAtCashier(page, channel + '-cashier-fine');

      await tile(page, '生活缴费');
      await page.locator('#utype').selectOption(person.payableBill.utilityType);
      await page.locator('#accno').fill(person.payableBill.accountNo);
      await page.getByTestId('query-bill').click();
      await page.getByTestId('pay-bill').waitFor();
      await checkScreen(page, channel + '-utilities');
      await page.locator('#utype').selectOption(person.payableBill.utilityType);
      await page.locator('#accno').fill(person.payableBill.accountNo);
      await page.getByTestId('query-bill').click();
      await page.getByTestId('pay-bill').click();
      await payAtCashier(page, channel + '-cashier-bill');

      await tile(page, '办事指南');
      await page.locator('#q').fill('公积金');
      await page.getByTestId('search').click();
      await page.getByTestId('guide').first().waitFor();
      await page.getByTestId('guide').first().locator('summary').click();
      await checkScreen(page, channel + '-catalogue');

      // Rate the social-security answer: a 差评 needs a comment, then opens a rectification.
      await tile(page, '社保查询');
      await page.getByTestId('social-account').getByTestId('rate-link').click();
      await page.getByTestId('submit-rating').waitFor();
      await checkScreen(page, channel + '-rate');
      await page.getByTestId('level-2').check();
      await page.getByTestId('submit-rating').click();
      await page.getByTestId('comment-required').waitFor();
      await page.locator('#comment').fill('页面加载较慢，希望改进');
      await page.getByTestId('submit-rating').click();
      await page.getByTestId('rated').filter({ hasText: '整改' }).waitFor();
      await page.getByRole('link', { name: '查看评价统计' }).click();
      await page.getByTestId('rating-stats-card').waitFor();
      await page.getByTestId('service-level-card').first().waitFor();
      await checkScreen(page, channel + '-stats');

      await tile(page, '咨询投诉');
      await page.locator('#ckind').selectOption('consultation');
      await page.locator('#ctext').fill('公积金提取需要哪些材料？');
      await page.getByTestId('file-complaint').click();
      await page.getByTestId('complaint-filed').waitFor();
      await page.getByTestId('complaint-list').filter({ hasText: '待答复' }).waitFor();
      await checkScreen(page, channel + '-complaints');

      await tile(page, '我的办件');
      await page.getByTestId('case').first().waitFor();
      await checkScreen(page, channel + '-cases');
      const cases = await page.getByTestId('case').evaluateAll(els => els.map(e => e.dataset.kind + ':' + e.dataset.status));
      const delivered = cases.filter(c => c === 'payment:delivered').length;
      assert.equal(delivered, 2, 'the fine and the bill, delivered: ' + cases);
      for (const expected of ['proof:valid', 'rating:rectification_open', 'verification:passed', 'complaint:open']) {
        assert.ok(cases.includes(expected), expected + ' in my cases: ' + cases);
      }
      assert.deepEqual(errors, [], 'no script errors');
      await context.close();
    });
  });
}

describe('a department outage', () => {
  it('shows the last answer as stale with its age, then a calm outage message', async () => {
    const person = people[2];
    const social = demo.manifest.departments.find(d => d.region === '330100' && /social/.test(d.kind));
    const { context, page } = await open();
    await login(page, 'alipay', person);
    await stepUp(page);
    await tile(page, '社保查询');
    await page.getByTestId('social-account').filter({ hasText: '参保状态' }).waitFor();
    await page.getByTestId('social-contributions').getByTestId('rate-link').waitFor();
    assert.equal(await page.getByTestId('stale').count(), 0);

    const faults = body => fetch(social.faultsUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await faults({ abortConnection: true })).status, 200);
    try {
      await tile(page, '社保查询');
      const stale = page.getByTestId('social-account').getByTestId('stale');
      await stale.waitFor();
      assert.match(await stale.textContent(), /非实时数据.*前/);
      await checkScreen(page, 'outage-stale');
      // Twelve months were never asked for: nothing to fall back on.
      await page.getByTestId('range').selectOption('12');
      const outage = page.getByTestId('social-contributions').getByTestId('outage');
      await outage.waitFor();
      assert.match(await outage.textContent(), /暂时无法连接.*再试/s);
      assert.deepEqual(await axe(page), [], 'outage message: accessibility violations');
      await page.screenshot({ path: join(shots, 'outage-message.png'), fullPage: true });
    } finally {
      await faults({});
    }
    await context.close();
  });
});

describe('长辈模式', () => {
  it('makes type and targets larger, shows fewer items and is remembered', async () => {
    const { context, page } = await open();
    await login(page, 'wechat', people[0]);
    const measure = () => page.evaluate(() => {
      const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
      const targets = Array.from(document.querySelectorAll('button, a.button, input, select, textarea, .tiles a, a.brand'))
        .filter(visible).map(el => Math.round(el.getBoundingClientRect().height));
      return { body: parseFloat(getComputedStyle(document.body).fontSize), smallest: Math.min(...targets),
        tiles: document.querySelectorAll('nav .tiles a').length };
    });
    const normal = await measure();
    await page.getByTestId('elder-toggle').click();
    await page.waitForFunction(() => document.body.classList.contains('elder'));
    const elder = await measure();
    assert.ok(normal.body < 18, 'normal body ' + normal.body);
    assert.ok(elder.body >= 18, 'elderly body ' + elder.body);
    assert.ok(elder.smallest >= 44, 'smallest elderly touch target ' + elder.smallest);
    assert.ok(elder.tiles < normal.tiles, 'fewer items: ' + elder.tiles + ' < ' + normal.tiles);
    await page.screenshot({ path: join(shots, 'elder-home.png'), fullPage: true });
    await page.reload();
    await page.getByTestId('level').waitFor();
    assert.equal(await page.evaluate(() => document.body.classList.contains('elder')), true, 'remembered');
    assert.ok((await measure()).body >= 18);
    // A bill number nobody has: a clear message, no stack, no code soup.
    await page.getByRole('link', { name: '生活缴费', exact: true }).click();
    await page.locator('#accno').fill('0000000000');
    await page.getByTestId('query-bill').click();
    const alert = page.getByTestId('bill').getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /没有查到相关信息/);
    assert.deepEqual(await axe(page), [], 'error message in 长辈模式: accessibility violations');
    await page.screenshot({ path: join(shots, 'elder-not-found.png'), fullPage: true });
    await context.close();
  });
});
