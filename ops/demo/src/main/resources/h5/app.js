/*
 * govgate H5 city-service app (城市服务). Runs in the super-app's web view; here the demo's /superapp/* plays the
 * super-app (login code, face check, cashier) against the channel simulators. Talks to the gateway's public API
 * (/v1) on the same origin. Plain DOM, no framework, nothing fetched from elsewhere.
 */
'use strict';

const REGIONS = { '330100': '杭州市', '510100': '成都市' };
const LEVELS = { L1: 'L1 渠道登录', L2: 'L2 实名', L3: 'L3 实名 + 刷脸' };
const CHANNELS = { alipay: '支付宝', wechat: '微信' };
const UTILITIES = { water: '水费', power: '电费', gas: '燃气费' };
const INDICATORS = { efficiency: '办事效率', guide_accuracy: '办事指南精确度', convenience: '办事便捷度',
  usability: '平台操作性', attitude: '服务态度', quality: '服务水平', transparency: '信息公开' };
const RATING_LEVELS = { 1: '非常不满意', 2: '不满意', 3: '基本满意', 4: '满意', 5: '非常满意' };
const CASE_KINDS = { payment: '缴费', proof: '证明', rating: '好差评', verification: '实名认证', complaint: '咨询投诉', consent: '授权' };
const SCOPES = { 'housing-fund.account': '公积金账户', 'social-security.account': '社保账户', 'traffic.fines': '交通违法与罚款',
  'utilities.bill': '生活缴费账单', 'proofs.issue': '开具证明', 'proofs.verify': '核验证明' };
const CASE_STATUS = { pending: '待支付', paid: '已支付，待部门入账', delivered: '已办结', closed: '已关闭',
  needs_review: '人工核查中', refunding: '退款中', refunded: '已退款', valid: '有效', expired: '已过期', revoked: '已撤销', rated: '已评价',
  rectification_open: '整改中', rectification_answered: '部门已答复', rectification_overdue: '整改超期',
  rectification_closed: '整改已办结', starting: '认证中', started: '待刷脸', start_failed: '未能发起',
  passed: '认证通过', failed: '认证未通过', refused: '未绑定', open: '待答复', overdue: '已超期', answered: '已答复', granted: '授权中' };
const STEP_NAMES = { created: '下单', paid: '支付', delivered: '部门入账', closed: '关闭', review: '人工核查', refund: '退款',
  issued: '开具', expired: '到期', revoked: '撤销', rated: '评价', rectification_opened: '整改立项',
  rectification_answered: '部门答复', rectification_closed: '整改办结', started: '发起认证', face_check: '刷脸核验',
  bound: '绑定实名', submitted: '提交', replied: '答复', granted: '授权' };
const STEP_STATES = { done: '已完成', current: '进行中', pending: '未开始', failed: '未通过', overdue: '已超期' };
const INSURED = { active: '正常参保', suspended: '暂停缴费', terminated: '终止参保' };
const FUND_STATUS = { normal: '正常缴存', sealed: '封存', closed: '销户' };
const VEHICLE_STATUS = { normal: '正常', inspection_overdue: '逾期未检验', mortgaged: '抵押登记' };
const COMPLAINT_STATUS = { open: '待答复', overdue: '已超期', answered: '已答复', closed: '已办结' };

// ---------- state ----------

const store = {
  get() {
    try { return JSON.parse(sessionStorage.getItem('govgate.h5') || '{}'); } catch (e) { return {}; }
  },
  set(patch) {
    const next = Object.assign(store.get(), patch);
    sessionStorage.setItem('govgate.h5', JSON.stringify(next));
    return next;
  },
  clear() { sessionStorage.removeItem('govgate.h5'); }
};
let people = [];

function elder() { return localStorage.getItem('govgate.elder') === '1'; }
function applyElder() {
  document.body.classList.toggle('elder', elder());
  const t = document.getElementById('elder-toggle');
  t.setAttribute('aria-pressed', String(elder()));
  t.textContent = elder() ? '标准模式' : '长辈模式';
}
/** Items per screen: fewer in 长辈模式. */
function pageSize(normal) { return elder() ? Math.max(2, Math.floor(normal / 2)) : normal; }

// ---------- DOM ----------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'testid') el.setAttribute('data-testid', v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
function button(text, onclick, attrs) { return h('button', Object.assign({ type: 'button', onclick }, attrs), text); }
function screen(title, ...children) {
  const main = document.getElementById('main');
  main.replaceChildren(h('h1', { testid: 'screen-title' }, title), ...children);
  document.title = title + ' · 城市服务';
  main.focus();
  return main;
}
function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(p => p[1] !== undefined && p[1] !== null && p[1] !== '')
    .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}
function yuan(fen) { return (fen / 100).toFixed(2) + ' 元'; }
function time(iso) { return iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : ''; }
function ago(iso) {
  const minutes = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 60000));
  return minutes < 1 ? '不到 1 分钟前' : minutes < 60 ? minutes + ' 分钟前' : Math.round(minutes / 60) + ' 小时前';
}
function month(offset) {
  const d = new Date(); d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() + offset);
  return d.toISOString().slice(0, 7);
}
function slot(testid) { return h('div', { testid, 'aria-live': 'polite' }); }

// ---------- API ----------

class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super((body && body.message) || ('HTTP ' + status));
    this.status = status; this.code = body && body.code; this.body = body || {};
    this.retryAfter = (body && body.retryAfter) || retryAfter;
  }
}

async function call(method, path, body, headers) {
  const s = store.get();
  const init = { method, headers: Object.assign({}, headers) };
  if (s.token && path.startsWith('/v1/')) init.headers.Authorization = 'Bearer ' + s.token;
  if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  const r = await fetch(path, init);
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!r.ok) throw new ApiError(r.status, json, Number(r.headers.get('Retry-After')) || undefined);
  return json;
}
const api = {
  get: path => call('GET', path),
  post: (path, body, headers) => call('POST', path, body === undefined ? {} : body, headers),
  del: path => call('DELETE', path)
};
function idempotencyKey() {
  const b = new Uint8Array(16); crypto.getRandomValues(b);
  return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
}

/** A calm, clear message for any failure; a department outage says when to try again. */
function problem(err) {
  if (!(err instanceof ApiError)) return h('div', { class: 'error', role: 'alert' }, '网络连接异常，请检查网络后重试。');
  const code = err.code || '';
  // An outage is the department's side (5xx); department.bill_not_found and the like are answers about the citizen.
  if (err.status >= 500) {
    const wait = err.retryAfter ? Math.max(1, Math.ceil(err.retryAfter / 60)) + ' 分钟后' : '稍后';
    return h('div', { class: 'outage', role: 'status', testid: 'outage' },
      h('strong', {}, '办理部门的系统暂时无法连接。'),
      h('p', {}, '这不是您的问题，也不影响您办理其他业务。请在 ' + wait + '再试。'),
      err.retryAfter ? h('p', { class: 'muted' }, '建议重试时间：' + time(new Date(Date.now() + err.retryAfter * 1000).toISOString())) : null);
  }
  if (err.status === 401) return h('div', { class: 'error', role: 'alert' }, '登录已过期，请返回首页重新登录。');
  if (err.status === 403) {
    return h('div', { class: 'error', role: 'alert', testid: 'step-up-needed' }, '该业务需要更高的认证等级（实名 + 刷脸）。 ',
      h('a', { href: '#/stepup' }, '去认证'));
  }
  if (code === 'request.invalid') {
    const fields = (err.body.details && err.body.details.fields) || {};
    return h('div', { class: 'error', role: 'alert' }, '填写的信息有误：' + Object.keys(fields).join('、'));
  }
  // The gateway answers its messages in the page's language (Accept-Language: zh-CN).
  const said = err.body.message ? '：' + err.body.message : '';
  if (err.status === 404) return h('div', { class: 'error', role: 'alert' }, '没有查到相关信息' + said + '。');
  if (err.status === 409 || err.status === 422 || err.status === 429) {
    return h('div', { class: 'error', role: 'alert' }, '暂时无法办理' + (said || '（' + code + '）') + '。');
  }
  return h('div', { class: 'error', role: 'alert' }, '暂时无法办理（' + (code || err.status) + '），请稍后再试。');
}

/** The department's answer with its freshness: a stale copy is labelled with its age. */
function freshness(answer) {
  if (answer.stale) {
    return h('p', { class: 'stale', role: 'status', testid: 'stale' },
      '非实时数据：部门系统暂时无法连接，以下为 ' + ago(answer.asOf) + '（' + time(answer.asOf) + '）的数据。');
  }
  return h('p', { class: 'muted' }, '数据时间：' + time(answer.asOf));
}
function rateLink(answer) {
  return h('a', { class: 'button secondary', href: '#/rate/' + encodeURIComponent(answer.interactionId), testid: 'rate-link' }, '评价本次服务');
}
async function load(target, work) {
  target.replaceChildren(h('p', { class: 'muted' }, '正在查询…'));
  try {
    target.replaceChildren(...[].concat(await work()));
  } catch (e) {
    target.replaceChildren(problem(e));
  }
}

// ---------- screens ----------

const routes = {
  '': home, stepup, catalog, social, fund, traffic, utilities, pay, rate, stats, complaints, cases
};

function render() {
  applyElder();
  const [name, ...args] = location.hash.replace(/^#\/?/, '').split('/');
  const s = store.get();
  const who = document.getElementById('who');
  who.textContent = s.token ? CHANNELS[s.channel] + ' · ' + (LEVELS[s.level] || s.level) : '';
  const view = s.token ? (routes[name] || home) : home;
  view(...args.map(decodeURIComponent));
}

function home() {
  const s = store.get();
  if (!s.token) return login();
  const tiles = [
    ['#/catalog', '办事指南'], ['#/social', '社保查询'], ['#/fund', '公积金'], ['#/traffic', '车辆与罚单'],
    ['#/utilities', '生活缴费'], ['#/cases', '我的办件'], ['#/complaints', '咨询投诉'], ['#/stats', '服务评价与效能'],
    ['#/stepup', '实名认证']
  ];
  const shown = elder() ? tiles.slice(0, 6) : tiles;
  const more = elder() ? h('details', {}, h('summary', {}, '更多服务'),
    h('ul', { class: 'tiles' }, tiles.slice(6).map(([href, text]) => h('li', {}, h('a', { href }, text))))) : null;
  const region = h('select', { id: 'region', onchange: e => store.set({ region: e.target.value }) },
    Object.entries(REGIONS).map(([code, name]) => h('option', { value: code, selected: code === s.region }, name)));
  screen('城市服务',
    h('section', { class: 'card', 'aria-labelledby': 'me-h' },
      h('h2', { id: 'me-h' }, '我的认证'),
      h('p', { testid: 'level' }, '当前等级：' + (LEVELS[s.level] || s.level)),
      s.level !== 'L3' ? h('a', { class: 'button', href: '#/stepup', testid: 'go-stepup' }, '实名认证并刷脸') : h('p', { class: 'ok' }, '已完成实名 + 刷脸认证'),
      button('退出登录', logout, { class: 'secondary' })),
    h('label', { for: 'region' }, '办事地区'), region,
    h('nav', { 'aria-label': '服务' }, h('ul', { class: 'tiles' }, shown.map(([href, text]) => h('li', {}, h('a', { href }, text))))),
    more);
}

function login() {
  const s = store.get();
  const channel = h('fieldset', {}, h('legend', {}, '选择渠道（模拟在哪个超级 App 中打开）'),
    Object.entries(CHANNELS).map(([value, name]) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'channel', value, checked: (s.channel || 'alipay') === value, testid: 'channel-' + value }), name)));
  const person = h('select', { id: 'person', testid: 'person' },
    people.map(p => h('option', { value: p.index }, p.name + '（' + REGIONS[p.region] + '）')));
  const out = slot('login-result');
  screen('登录城市服务',
    h('p', {}, '城市服务由政务部门提供。登录后，可查询社保、公积金、车辆与罚单、生活缴费，并办理缴费与开具证明。'),
    h('form', { onsubmit: e => { e.preventDefault(); doLogin(out); } },
      channel, h('label', { for: 'person' }, '测试居民'), person,
      h('button', { type: 'submit', testid: 'login' }, '授权登录')),
    out);
}

async function doLogin(out) {
  const channel = document.querySelector('input[name=channel]:checked').value;
  const index = Number(document.getElementById('person').value);
  await load(out, async () => {
    // What my.getAuthCode / wx.login give the page inside the super-app.
    const code = await api.post('/superapp/auth-code', { channel, person: index });
    const session = await api.post('/v1/sessions', { channel, appId: code.appId, authCode: code.authCode });
    const person = people[index];
    store.set({ channel, person: index, token: session.token, level: session.level, region: person.region });
    if (location.hash === '#/') render(); else location.hash = '#/';
    return [];
  });
}

function logout() { store.clear(); location.hash = '#/'; render(); }

function stepup() {
  const s = store.get();
  const person = people[s.person] || {};
  const name = h('input', { id: 'name', autocomplete: 'name', value: person.name || '' });
  const id = h('input', { id: 'idno', autocomplete: 'off', value: person.idNumber || '', inputmode: 'text' });
  const out = slot('stepup-result');
  screen('实名认证',
    h('p', {}, '请填写本人姓名与身份证号，然后由' + CHANNELS[s.channel] + '进行刷脸核验。'),
    h('form', { onsubmit: e => { e.preventDefault(); startVerification(name.value.trim(), id.value.trim(), out); } },
      h('label', { for: 'name' }, '姓名'), name, h('label', { for: 'idno' }, '身份证号'), id,
      h('button', { type: 'submit', testid: 'start-verification' }, '开始认证')),
    out);
}

async function startVerification(name, idNumber, out) {
  await load(out, async () => {
    const v = await api.post('/v1/identity/verifications', { name, idNumber });
    if (v.session) store.set({ token: v.session.token, level: v.session.level });
    const s = store.get();
    const face = slot('face-result');
    return [h('p', {}, '实名信息已提交。' + (v.session ? '当前等级：' + LEVELS[v.session.level] + '。' : '')),
      h('p', {}, '请看向摄像头完成刷脸（演示中由按钮模拟）。'),
      button('模拟刷脸（看向摄像头）', () => load(face, async () => {
        await api.post('/superapp/face', { channel: s.channel, person: s.person, clientParams: v.clientParams });
        const session = await api.post('/v1/identity/verifications/' + encodeURIComponent(v.verificationId) + '/complete');
        store.set({ token: session.token, level: session.level });
        location.hash = '#/';
        return [];
      }), { testid: 'face' }), face];
  });
}

function region() { return store.get().region || '330100'; }

function catalog() {
  const q = h('input', { id: 'q', type: 'search', placeholder: '例如：公积金、罚款、水费' });
  const list = slot('catalog-list');
  const search = () => load(list, async () => {
    const c = await api.get('/v1/catalog?region=' + region() + (q.value.trim() ? '&q=' + encodeURIComponent(q.value.trim()) : ''));
    if (!c.services.length) return [h('p', {}, '没有找到相关事项。')];
    return [h('ul', { class: 'plain' }, c.services.slice(0, pageSize(12)).map(svc => h('li', { class: 'card' },
      h('h2', {}, svc.name),
      kv([['实施部门', svc.department.name], ['认证要求', LEVELS[svc.minLevel]], ['网办深度', svc.onlineDepth]]),
      h('details', { testid: 'guide' }, h('summary', {}, '办事指南'),
        h('h3', {}, '申请材料'), h('ul', {}, svc.guide.materials.map(m => h('li', {}, m))),
        h('h3', {}, '设定依据'), h('ul', {}, svc.guide.legalBasis.map(m => h('li', {}, m))),
        h('h3', {}, '收费'), h('p', {}, typeof svc.guide.fees === 'string' ? svc.guide.fees : JSON.stringify(svc.guide.fees)),
        h('h3', {}, '办理时限'), h('p', {}, String(svc.guide.timeLimit))))))];
  });
  screen('办事指南 · ' + REGIONS[region()],
    h('form', { role: 'search', onsubmit: e => { e.preventDefault(); search(); } },
      h('label', { for: 'q' }, '搜索事项'), q, h('button', { type: 'submit', testid: 'search' }, '搜索')),
    list);
  search();
}

function social() {
  const account = slot('social-account');
  const months = slot('social-contributions');
  const range = h('select', { id: 'range', testid: 'range', onchange: () => contributions() },
    h('option', { value: '6' }, '近 6 个月'), h('option', { value: '12' }, '近 12 个月'));
  const contributions = () => load(months, async () => {
    const n = Number(range.value);
    const c = await api.get('/v1/social-security/contributions?region=' + region() + '&from=' + month(-n) + '&to=' + month(-1));
    if (!c.data.months.length) return [freshness(c), h('p', {}, '该期间没有缴费记录。'), rateLink(c)];
    return [freshness(c), table(['月份', '单位缴纳', '个人缴纳'],
      c.data.months.slice(0, pageSize(n)).map(m => [m.month, yuan(m.employerFen), yuan(m.personalFen)])),
      kv([['单位合计', yuan(c.data.totalEmployerFen)], ['个人合计', yuan(c.data.totalPersonalFen)]]), rateLink(c)];
  });
  screen('社保查询 · ' + REGIONS[region()], h('h2', {}, '参保信息'), account,
    h('h2', {}, '缴费记录'), h('label', { for: 'range' }, '查询范围'), range, months);
  load(account, async () => {
    const a = await api.get('/v1/social-security/account?region=' + region());
    const d = a.data;
    return [freshness(a), h('div', { class: 'card' }, kv([['参保状态', INSURED[d.insuredStatus]], ['参保城市', d.city.name], ['单位', d.employer],
      ['参保日期', d.startDate], ['养老个人账户', yuan(d.pensionAccountBalanceFen)], ['最近缴费月份', d.lastPaidMonth]])), rateLink(a)];
  }).then(contributions);
}

function table(head, rows) {
  return h('table', {}, h('thead', {}, h('tr', {}, head.map(x => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map(r => h('tr', {}, r.map(x => h('td', {}, x))))));
}

function fund() {
  const account = slot('fund-account');
  const months = slot('fund-contributions');
  const proof = slot('proof-result');
  const purpose = h('select', { id: 'purpose' }, ['办理个人住房贷款', '租房提取', '人才落户'].map(p => h('option', { value: p }, p)));
  screen('公积金 · ' + REGIONS[region()], h('h2', {}, '账户信息'), account, h('h2', {}, '近 6 个月缴存'), months,
    h('section', { class: 'card', 'aria-labelledby': 'proof-h' }, h('h2', { id: 'proof-h' }, '开具缴存证明'),
      h('label', { for: 'purpose' }, '用途'), purpose,
      button('开具证明', () => issueProof(purpose.value, proof), { testid: 'issue-proof' }), proof));
  load(account, async () => {
    const a = await api.get('/v1/housing-fund/account?region=' + region());
    const d = a.data;
    return [freshness(a), h('div', { class: 'card' }, kv([['账号', d.accountNo], ['状态', FUND_STATUS[d.status]], ['余额', yuan(d.balanceFen)],
      ['月缴存额', yuan(d.monthlyDepositFen)], ['缴存单位', d.employer], ['最近缴存', d.lastDepositMonth]])), rateLink(a)];
  }).then(() => load(months, async () => {
    const c = await api.get('/v1/housing-fund/contributions?region=' + region() + '&from=' + month(-6) + '&to=' + month(-1));
    if (!c.data.months.length) return [freshness(c), h('p', {}, '该期间没有缴存记录。'), rateLink(c)];
    return [freshness(c), table(['月份', '缴存合计'], c.data.months.slice(0, pageSize(6)).map(m => [m.month, yuan(m.totalFen)])), rateLink(c)];
  }));
}

async function issueProof(purpose, out) {
  await load(out, async () => {
    const p = await api.post('/v1/housing-fund/proofs', { region: region(), purpose, validDays: 30 });
    const verdict = slot('proof-verdict');
    return [h('p', { class: 'ok' }, '证明已开具'),
      kv([['证明编号', h('span', { testid: 'proof-serial' }, p.serial)], ['开具时间', time(p.issuedAt)], ['有效期至', time(p.expiresAt)]]),
      h('img', { class: 'qr', src: '/superapp/qr?text=' + encodeURIComponent(p.serial), alt: '证明编号 ' + p.serial + ' 的二维码', testid: 'proof-qr' }),
      button('核验此证明', () => load(verdict, async () => {
        const v = await api.post('/v1/proofs/verify', { proof: p.proof });
        return [h('p', { class: v.valid ? 'ok' : 'error', testid: 'verdict' }, v.valid ? '核验结果：真实有效' : '核验结果：无效（' + (v.reasons || []).join('、') + '）')];
      }), { testid: 'verify-proof', class: 'secondary' }), verdict, rateLink(p)];
  });
}

function traffic() {
  const list = slot('vehicles');
  screen('车辆与罚单 · ' + REGIONS[region()], list);
  load(list, async () => {
    const v = await api.get('/v1/traffic/vehicles?region=' + region());
    if (!v.data.vehicles.length) return [freshness(v), h('p', {}, '名下没有登记的车辆。')];
    return [freshness(v), ...v.data.vehicles.map(car => {
      const fines = slot('fines');
      return h('section', { class: 'card' }, h('h2', {}, car.plate),
        kv([['车型', car.brand + ' ' + car.model], ['状态', VEHICLE_STATUS[car.status]], ['检验有效期', car.inspectionDueOn]]),
        button('查询违法与罚款', () => showFines(car, fines), { testid: 'fines-' + car.plate }), fines);
    }), rateLink(v)];
  });
}

async function showFines(car, out) {
  await load(out, async () => {
    const f = await api.get('/v1/traffic/fines?region=' + region() + '&plate=' + encodeURIComponent(car.plate) + '&plateType=' + car.plateType);
    if (!f.data.fines.length) return [freshness(f), h('p', {}, '没有违法记录。')];
    return [freshness(f), h('ul', { class: 'plain' }, f.data.fines.map(x => h('li', {},
      kv([['决定书编号', x.decisionNumber], ['时间', time(x.time)], ['地点', x.place], ['罚款', yuan(x.amountFen)], ['记分', x.points], ['状态', x.status === 'paid' ? '已缴纳' : '未缴纳']]),
      x.payable && x.status !== 'paid' ? button('缴纳罚款 ' + yuan(x.amountFen), () => startPayment(
        { billType: 'traffic_fine', region: region(), decisionNumber: x.decisionNumber }, out), { testid: 'pay-fine' }) : null))), rateLink(f)];
  });
}

function utilities() {
  const s = store.get();
  const accounts = (people[s.person] || {}).utilityAccounts || [];
  const type = h('select', { id: 'utype' }, Object.entries(UTILITIES).map(([v, n]) => h('option', { value: v }, n)));
  const first = accounts[0];
  if (first) type.value = first.utilityType;
  const no = h('input', { id: 'accno', inputmode: 'numeric', value: first ? first.accountNo : '', pattern: '[0-9]{10}' });
  const mine = accounts.length ? h('p', { class: 'muted' }, '我的户号：' + accounts.map(a => UTILITIES[a.utilityType] + ' ' + a.accountNo).join('，')) : null;
  const bill = slot('bill');
  screen('生活缴费 · ' + REGIONS[region()],
    h('form', { onsubmit: e => { e.preventDefault(); showBill(type.value, no.value.trim(), bill); } },
      h('label', { for: 'utype' }, '缴费类型'), type, h('label', { for: 'accno' }, '户号（10 位数字）'), no, mine,
      h('button', { type: 'submit', testid: 'query-bill' }, '查询账单')), bill);
}

async function showBill(utilityType, accountNo, out) {
  await load(out, async () => {
    const b = await api.get('/v1/utilities/bill?region=' + region() + '&utilityType=' + utilityType + '&accountNo=' + encodeURIComponent(accountNo));
    const d = b.data;
    return [freshness(b), h('div', { class: 'card' }, kv([['户名', d.holderName], ['地址', d.address], ['账期', d.period],
      ['用量', d.usage.quantity + ' ' + d.usage.unit], ['金额', yuan(d.amountFen)], ['缴费期限', d.dueDate], ['状态', d.status === 'paid' ? '已缴清' : '待缴费']]),
      d.status !== 'paid' && d.amountFen > 0 ? button('缴费 ' + yuan(d.amountFen), () => startPayment(
        { billType: 'utility_bill', region: region(), utilityType, accountNo }, out), { testid: 'pay-bill' }) : null), rateLink(b)];
  });
}

async function startPayment(body, out) {
  await load(out, async () => {
    const key = idempotencyKey();
    const order = await api.post('/v1/payments', body, { 'Idempotency-Key': key });
    location.hash = '#/pay/' + encodeURIComponent(order.orderId);
    return [];
  });
}

/** The super-app's cashier (my.tradePay / wx.requestPayment), then the order until the department's receipt. */
function pay(orderId) {
  const s = store.get();
  const out = slot('pay-result');
  screen((s.channel === 'alipay' ? '支付宝' : '微信支付') + ' · 收银台', out);
  load(out, async () => {
    const o = await api.get('/v1/payments/' + encodeURIComponent(orderId));
    const result = slot('pay-progress');
    const info = kv([['订单号', o.orderId], ['事项', o.billType === 'traffic_fine' ? '交通违法罚款' : '生活缴费'], ['金额', yuan(o.amountFen)]]);
    if (o.status !== 'pending') { showReceipt(orderId, result); return [info, result]; }
    return [info, button('确认支付 ' + yuan(o.amountFen), async e => {
      e.target.disabled = true;
      await load(result, async () => {
        await api.post('/superapp/pay', { channel: s.channel, orderId });
        return [h('p', {}, '支付已提交，正在等待部门入账…')];
      });
      showReceipt(orderId, result);
    }, { testid: 'confirm-pay' }), result];
  });
}

async function showReceipt(orderId, out) {
  for (let i = 0; i < 60; i++) {
    const o = await api.get('/v1/payments/' + encodeURIComponent(orderId)).catch(() => null);
    if (o && o.status === 'delivered' && o.receipt) {
      out.replaceChildren(h('div', { class: 'card', testid: 'receipt' }, h('h2', {}, '缴费成功'),
        kv([['回执号', o.receipt.receiptNo], ['入账部门', o.receipt.department], ['金额', yuan(o.amountFen)], ['支付时间', time(o.paidAt)]]),
        h('a', { class: 'button secondary', href: '#/cases' }, '查看我的办件')));
      return;
    }
    if (o && (o.status === 'closed' || o.status === 'needs_review')) {
      out.replaceChildren(h('div', { class: 'error', role: 'alert' }, o.status === 'closed' ? '订单已关闭。' : '支付已收到，正在人工核查，请留意我的办件。'));
      return;
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  out.replaceChildren(h('p', {}, '部门入账需要一点时间，稍后可在“我的办件”中查看回执。'));
}

function rate(interactionId) {
  const levels = h('fieldset', {}, h('legend', {}, '满意度（1–5）'), Object.entries(RATING_LEVELS).map(([v, n]) =>
    h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'level', value: v, testid: 'level-' + v }), v + ' 分 · ' + n)));
  const indicators = h('fieldset', {}, h('legend', {}, '评价指标（可多选）'), Object.entries(INDICATORS).map(([v, n]) =>
    h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'indicator', value: v }), n)));
  const comment = h('textarea', { id: 'comment', maxlength: 500 });
  const out = slot('rate-result');
  screen('评价本次服务（好差评）', levels, indicators, h('label', { for: 'comment' }, '意见建议（1–2 分必填）'), comment,
    button('提交评价', () => {
      const checked = document.querySelector('input[name=level]:checked');
      const level = checked ? Number(checked.value) : 0;
      if (!level) { out.replaceChildren(h('div', { class: 'error', role: 'alert' }, '请选择满意度。')); return; }
      if (level <= 2 && !comment.value.trim()) { out.replaceChildren(h('div', { class: 'error', role: 'alert', testid: 'comment-required' }, '差评请填写意见，部门将据此整改。')); return; }
      const body = { interactionId, level, indicators: Array.from(document.querySelectorAll('input[name=indicator]:checked'), x => x.value) };
      if (comment.value.trim()) body.comment = comment.value.trim();
      load(out, async () => {
        const r = await api.post('/v1/ratings', body);
        return [h('p', { class: 'ok', testid: 'rated' }, '感谢评价！' + (r.rectificationDeadline ? '部门需在 ' + time(r.rectificationDeadline) + ' 前整改答复。' : '')),
          h('a', { class: 'button secondary', href: '#/stats' }, '查看评价统计')];
      });
    }, { testid: 'submit-rating' }), out);
}

function stats() {
  const ratings = slot('rating-stats');
  const levels = slot('service-levels');
  screen('服务评价与效能 · ' + REGIONS[region()], h('h2', {}, '好差评统计'), ratings, h('h2', {}, '部门服务效能（本月）'), levels);
  load(ratings, async () => {
    const r = await api.get('/v1/stats/ratings?region=' + region());
    return [h('div', { class: 'card', testid: 'rating-stats-card' }, kv([['评价总数', r.count],
      ['满意率', r.satisfactionRate === undefined ? '暂无' : (r.satisfactionRate * 100).toFixed(1) + '%'], ['差评', r.badRatings],
      ['整改按期办结', r.rectification ? r.rectification.closedWithinDeadline : 0]]),
      table(['分值', '次数'], Object.entries(r.levels).map(([k, v]) => [k + ' 分', v])))];
  });
  load(levels, async () => {
    const l = await api.get('/v1/stats/service-levels?region=' + region());
    if (!l.departments.length) return [h('p', {}, '本月暂无数据。')];
    const pct = x => x === undefined ? '—' : (x * 100).toFixed(1) + '%';
    const hours = x => x === undefined ? '—' : x.toFixed(1) + ' 小时';
    // A department may have items or ratings this month but no call yet: every part is optional.
    return l.departments.slice(0, pageSize(8)).map(d => h('div', { class: 'card', testid: 'service-level-card' }, h('h3', {}, d.departmentId),
      kv([['调用次数', d.calls ? d.calls.total : 0], ['可用率', pct(d.availability)], ['错误率', pct(d.errorRate)], ['非实时占比', pct(d.staleShare)],
        ['响应时间 p50 / p95', d.latencyMs ? Math.round(d.latencyMs.p50) + ' / ' + Math.round(d.latencyMs.p95) + ' 毫秒' : '—'],
        ['咨询按期答复率', d.consultations ? pct(d.consultations.onTimeRate) : '—'], ['咨询答复用时（中位数）', d.consultations ? hours(d.consultations.medianReplyHours) : '—'],
        ['投诉按期答复率', d.complaints ? pct(d.complaints.onTimeRate) : '—'], ['投诉答复用时（中位数）', d.complaints ? hours(d.complaints.medianReplyHours) : '—'],
        ['满意率', d.ratings ? pct(d.ratings.satisfactionRate) : '—'], ['整改按期办结率', d.rectifications ? pct(d.rectifications.onTimeRate) : '—']])));
  });
}

function complaints() {
  const kind = h('select', { id: 'ckind' }, h('option', { value: 'consultation' }, '咨询'), h('option', { value: 'complaint' }, '投诉'));
  const svc = h('select', { id: 'csvc' }, [['social-security.account', '社保'], ['housing-fund.account', '公积金'],
    ['traffic.fines', '交通违法'], ['utilities.bill', '生活缴费']].map(([v, n]) => h('option', { value: v }, n)));
  const text = h('textarea', { id: 'ctext', maxlength: 2000 });
  const out = slot('complaint-result');
  const list = slot('complaint-list');
  const refresh = () => load(list, async () => {
    const r = await api.get('/v1/complaints?limit=' + pageSize(10));
    if (!r.items.length) return [h('p', {}, '暂无咨询或投诉。')];
    return [h('ul', { class: 'plain' }, r.items.map(c => h('li', { class: 'card' },
      h('h3', {}, (c.kind === 'complaint' ? '投诉' : '咨询') + ' · ' + (COMPLAINT_STATUS[c.status] || c.status)),
      kv([['提交时间', time(c.submittedAt)], ['答复期限', time(c.deadline)], ['办理部门', c.departmentId]]),
      h('p', {}, c.text),
      c.reply ? h('p', { class: 'ok' }, '部门答复：' + c.reply) : h('p', { class: 'muted' }, '等待部门答复'),
      c.replyInteractionId ? h('a', { class: 'button secondary', href: '#/rate/' + encodeURIComponent(c.replyInteractionId) }, '评价答复') : null)))];
  });
  screen('咨询投诉（政务互动）',
    h('form', { onsubmit: e => { e.preventDefault(); load(out, async () => {
      const c = await api.post('/v1/complaints', { kind: kind.value, serviceType: svc.value, region: region(), text: text.value.trim() });
      text.value = '';
      refresh();
      return [h('p', { class: 'ok', testid: 'complaint-filed' }, '已提交，' + c.departmentId + ' 将在 ' + time(c.deadline) + ' 前答复。')];
    }); } },
      h('label', { for: 'ckind' }, '类型'), kind, h('label', { for: 'csvc' }, '事项'), svc,
      h('label', { for: 'ctext' }, '内容（不超过 2000 字）'), text, h('button', { type: 'submit', testid: 'file-complaint' }, '提交')),
    out, h('h2', {}, '我的咨询投诉'), list);
  refresh();
}

function cases() {
  const list = h('ul', { class: 'plain', testid: 'case-list' });
  const more = slot('cases-more');
  const out = slot('cases-result');
  const page = cursor => load(out, async () => {
    const r = await api.get('/v1/my/cases?limit=' + pageSize(10) + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    r.items.forEach(c => list.append(caseItem(c)));
    more.replaceChildren(r.nextCursor ? button('加载更多', () => page(r.nextCursor), { class: 'secondary', testid: 'more-cases' }) : h('p', { class: 'muted' }, list.children.length ? '已显示全部' : '暂无办件'));
    return [];
  });
  screen('我的办件', out, list, more);
  page(null);
}

function caseItem(c) {
  const detail = slot('case-detail');
  const item = h('li', { class: 'card', 'data-kind': c.kind, 'data-status': c.status, 'data-case': c.caseId, testid: 'case' },
    h('h2', {}, CASE_KINDS[c.kind] + ' · ' + (CASE_STATUS[c.status] || c.status)),
    kv([['发起时间', time(c.startedAt)], ['最近进展', time(c.updatedAt)], ...summaryLines(c)]),
    h('ol', { class: 'steps' }, c.steps.map(st => h('li', {}, (STEP_NAMES[st.name] || st.name) + '：' + STEP_STATES[st.state]
      + (st.at ? '（' + time(st.at) + '）' : st.due ? '（期限 ' + time(st.due) + '）' : '')))),
    button('查看详情', () => load(detail, async () => {
      const d = await api.get(c.detail);
      return [kv(Object.entries(d.summary).map(([k, v]) => [k, Array.isArray(v) ? v.join('、') : String(v)]))];
    }), { class: 'secondary' }),
    // A granted consent names where it is revoked (DELETE); the item is then read again from its detail link.
    c.kind === 'consent' && c.resource ? button('撤销授权', async e => {
      e.target.disabled = true;
      await load(detail, async () => {
        await api.del(c.resource);
        item.replaceWith(caseItem(await api.get(c.detail)));
        return [];
      });
      e.target.disabled = false;
    }, { class: 'secondary', testid: 'revoke-consent', 'aria-label': '撤销授权（' + c.summary.partnerName + '）' }) : null,
    detail);
  return item;
}

function summaryLines(c) {
  const s = c.summary;
  if (c.kind === 'payment') return [['事项', (s.description || '') + ' ' + yuan(s.amountFen) + (s.receiptNo ? '，回执 ' + s.receiptNo : '')]];
  if (c.kind === 'proof') return [['有效期至', time(s.expiresAt)]];
  if (c.kind === 'rating') return [['评分', s.level + ' 分' + (s.rectificationDeadline ? '，整改期限 ' + time(s.rectificationDeadline) : '')]];
  if (c.kind === 'complaint') return [['答复期限', time(s.deadline)]];
  if (c.kind === 'consent') {
    return [['授权对象', s.partnerName], ['授权范围', (s.scopes || []).map(x => SCOPES[x] || x).join('、')], ['用途', s.purpose],
      [s.revokedAt ? '撤销时间' : '有效期至', time(s.revokedAt || s.expiresAt)]];
  }
  return [['渠道', CHANNELS[s.channel] || '']];
}

// ---------- start ----------

document.getElementById('elder-toggle').addEventListener('click', () => {
  localStorage.setItem('govgate.elder', elder() ? '0' : '1');
  render();
});
window.addEventListener('hashchange', render);
api.get('/superapp/people').then(r => { people = r.people; render(); })
  .catch(() => document.getElementById('main').replaceChildren(h('p', { class: 'error', role: 'alert' }, '无法连接服务，请稍后再试。')));
