/**
 * The demo report page: what a vendor's product page looks like with the
 * browser client (sdk/browser.ts, served by the demo app as
 * /gatekeeper-client.js). In the browser it gets grants from the vendor (this
 * app), and the client has them countersigned by the customer's gatekeeper
 * and fetches, lists and uploads objects straight at it: no object byte
 * passes through the vendor.
 *
 * Everything from an object or an answer is written with textContent or as an
 * attribute value, never as HTML.
 */
export interface PageConfig {
  gatekeeper: string;
  reportTitle: string;
  user: string;
}

/** Where the demo app serves the built browser client. */
export const CLIENT_SCRIPT_PATH = '/gatekeeper-client.js';

/** The page's script, kept apart so a test can syntax-check it. */
export const PAGE_SCRIPT = String.raw`
import { GatekeeperClient, GatekeeperError } from '${CLIENT_SCRIPT_PATH}';

const cfg = JSON.parse(document.getElementById('gk-config').textContent);
const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** What a report reader is told for each refusal; the PROTOCOL code is shown beside it. */
const HUMAN = {
  country_denied: 'Your organisation only allows its report data to be opened from approved countries, and your current location is not one of them.',
  ip_denied: 'Your organisation does not allow its report data to be opened from this network.',
  deny_all: 'Your organisation has temporarily suspended access to its report data.',
  revoked: 'Your organisation has revoked this access. Reload the page to request it again.',
  unknown_kid: 'Your organisation does not currently trust this application.',
  origin_not_allowed: 'Your organisation does not accept requests from this site.',
  expired: 'Your access expired. Reload the page to continue.',
  ip_mismatch: 'Your network address changed while the page was open. Reload the page to continue.',
  audit_unavailable: 'Your organisation\u2019s data gateway is temporarily unavailable. Try again in a minute.',
  config_unavailable: 'Your organisation\u2019s data gateway is temporarily unavailable. Try again in a minute.',
  upstream_error: 'Your organisation\u2019s storage did not answer. Try again in a minute.',
  network_error: 'Your organisation\u2019s data gateway could not be reached from this browser.',
  too_large: 'This file is larger than allowed.',
  content_type_mismatch: 'This file type is not allowed here.',
};

class VendorError extends Error {}

async function vendor(path, body) {
  let res;
  try {
    res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
  } catch {
    throw new VendorError('The report service could not be reached.');
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new VendorError(typeof data.error === 'string' ? data.error : 'The report service answered ' + res.status + '.');
  return data;
}

let bundle = null;
const grantsOf = (b) => [...b.report.objects.map((o) => o.grant), b.attachments.list, b.attachments.get];

const gk = new GatekeeperClient({
  gatekeeperUrl: cfg.gatekeeper,
  // Asked when a grant is missing or about to expire: the vendor signs the report's set again.
  fetchGrants: async () => {
    bundle = await vendor('/api/grants');
    return grantsOf(bundle);
  },
});

// ---------------------------------------------------------------- banner

function showRefusal(err) {
  const banner = $('banner');
  if (err instanceof GatekeeperError) {
    banner.dataset.code = err.code;
    $('banner-title').textContent = 'Your organisation\u2019s gatekeeper refused access';
    $('banner-text').textContent = HUMAN[err.code] || err.message;
    $('banner-code').textContent = err.code;
    $('banner-request').textContent = err.requestId ? 'Request ' + err.requestId : '';
    $('banner-meta').hidden = false;
  } else {
    banner.dataset.code = 'vendor';
    $('banner-title').textContent = 'The report could not be loaded';
    $('banner-text').textContent = err && err.message ? err.message : String(err);
    $('banner-meta').hidden = true;
  }
  banner.hidden = false;
}

// ---------------------------------------------------------------- formatting

let currency = 'EUR';
const money = (n) => new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: 0 }).format(n);
const number = (n) => new Intl.NumberFormat('en-GB').format(n);
const percent = (x) => (x > 0 ? '+' : '') + (x * 100).toFixed(1) + '%';
function bytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}
const date = (s) => new Date(s).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

function row(cells, tag, classes) {
  const tr = el('tr');
  cells.forEach((c, i) => tr.append(el(tag || 'td', classes && classes[i], c)));
  return tr;
}

/** RFC 4180 enough for a report: quoted fields, doubled quotes, CRLF or LF. */
function parseCsv(text) {
  const rows = [];
  let field = '', rowv = [], quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { rowv.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      rowv.push(field); field = '';
      if (rowv.some((f) => f !== '')) rows.push(rowv);
      rowv = [];
    } else field += c;
  }
  rowv.push(field);
  if (rowv.some((f) => f !== '')) rows.push(rowv);
  return rows;
}

// ---------------------------------------------------------------- report parts

async function renderSummary(obj) {
  const data = await (await gk.getObject(obj.key)).json();
  currency = data.currency || currency;
  const rows = data.rows;
  const total = rows.reduce((s, r) => s + r.revenue, 0);
  const best = rows.reduce((a, b) => (b.change > a.change ? b : a));
  const largest = rows.reduce((a, b) => (b.revenue > a.revenue ? b : a));
  // Each row's change is against its own Q3 figure: the quarter's change is against their sum.
  const weighted = total / rows.reduce((s, r) => s + r.revenue / (1 + r.change), 0) - 1;
  const kpis = $('kpis');
  kpis.replaceChildren();
  for (const [label, value, note, cls] of [
    ['Total revenue', money(total), 'Q4, all regions', ''],
    ['Change vs Q3', percent(weighted), 'revenue-weighted', weighted >= 0 ? 'up' : 'down'],
    ['Fastest growth', best.region, percent(best.change), 'up'],
    ['Largest region', largest.region, money(largest.revenue), ''],
  ]) {
    const card = el('div', 'kpi');
    card.append(el('div', 'kpi-label', label), el('div', 'kpi-value', value), el('div', 'kpi-note ' + cls, note));
    kpis.append(card);
  }
  const table = $('regions');
  table.replaceChildren(row(['Region', 'Revenue', 'Share', 'Change vs Q3'], 'th', ['', 'num', 'num', 'num']));
  for (const r of rows) {
    const tr = row([r.region, money(r.revenue), ((r.revenue / total) * 100).toFixed(1) + '%', percent(r.change)], 'td', ['', 'num', 'num', 'num ' + (r.change >= 0 ? 'up' : 'down')]);
    table.append(tr);
  }
  table.append(row(['Total', money(total), '100%', ''], 'td', ['total', 'num total', 'num total', 'total']));
}

async function renderCsv(obj) {
  const rows = parseCsv(await (await gk.getObject(obj.key)).text());
  const [head, ...body] = rows;
  const table = $('monthly');
  const numeric = head.map((_, i) => i > 0);
  table.replaceChildren(row([...head, 'Total'], 'th', [...numeric.map((n) => (n ? 'num' : '')), 'num']));
  const sums = head.map(() => 0);
  for (const r of body) {
    const values = r.map((v, i) => (i > 0 ? Number(v) : v));
    const total = values.slice(1).reduce((s, v) => s + v, 0);
    values.forEach((v, i) => { if (i > 0) sums[i] += v; });
    table.append(row([values[0], ...values.slice(1).map(number), number(total)], 'td', [...numeric.map((n) => (n ? 'num' : '')), 'num strong']));
  }
  const grand = sums.reduce((s, v) => s + v, 0);
  table.append(row(['Quarter', ...sums.slice(1).map(number), number(grand)], 'td', ['total', ...sums.slice(1).map(() => 'num total'), 'num total']));
}

async function renderImage(obj) {
  const img = $('chart');
  img.alt = 'Revenue by region';
  img.src = await gk.objectUrl(obj.key);
  await img.decode();
  $('chart-link').href = img.src;
}

async function renderText(obj) {
  const notes = $('notes');
  notes.textContent = (await (await gk.getObject(obj.key)).text()).trim();
  notes.classList.remove('placeholder');
}

const RENDER = { table: renderSummary, csv: renderCsv, image: renderImage, text: renderText };

// ---------------------------------------------------------------- attachments

const IMAGE = /\.(png|jpe?g|gif|webp|svg)$/i;

async function listAttachments(highlight) {
  const { prefix } = bundle.attachments;
  const objects = [];
  let token;
  do {
    const page = await gk.list(prefix, token ? { continuationToken: token } : {});
    objects.push(...page.objects);
    token = page.nextContinuationToken;
  } while (token);
  const list = $('attachments');
  const items = await Promise.all(
    objects.map(async (o) => {
      const name = o.key.slice(prefix.length);
      const url = await gk.objectUrl(o.key);
      const li = el('li', 'file' + (o.key === highlight ? ' fresh' : ''));
      li.dataset.key = o.key;
      if (IMAGE.test(name)) {
        const img = el('img', 'thumb');
        img.alt = '';
        img.src = url;
        li.append(img);
      } else {
        li.append(el('span', 'icon', (name.split('.').pop() || 'file').slice(0, 4).toUpperCase()));
      }
      const a = el('a', 'file-name', name);
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      const meta = el('span', 'file-meta', bytes(o.size) + ' \u00b7 ' + date(o.lastModified));
      const text = el('div', 'file-text');
      text.append(a, meta);
      li.append(text);
      return li;
    }),
  );
  list.replaceChildren(...items);
  $('attachments-count').textContent = objects.length === 1 ? '1 file' : objects.length + ' files';
  if (objects.length === 0) list.append(el('li', 'empty', 'No attachments yet.'));
}

function hex(buf) {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function upload(file) {
  const status = $('upload-status');
  const bar = $('progress');
  status.className = 'upload-status';
  status.textContent = 'Preparing ' + file.name + '\u2026';
  bar.value = 0;
  $('progress-row').hidden = false;
  const contentType = file.type || 'application/octet-stream';
  const sha256 = hex(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
  // The vendor learns the name, size, type and digest; never the bytes.
  const up = await vendor('/api/upload-grant', { name: file.name, size: file.size, contentType, sha256 });
  gk.addGrants([up.grant]);
  await gk.putObject(up.key, file, {
    contentType,
    onProgress: (sent, total) => {
      bar.value = total > 0 ? sent / total : 1;
      $('progress-text').textContent = Math.round(bar.value * 100) + '%';
    },
  });
  status.textContent = 'Uploaded ' + up.key.slice(bundle.attachments.prefix.length) + ' (' + bytes(file.size) + ').';
  status.dataset.done = up.key;
  await listAttachments(up.key);
}

// ---------------------------------------------------------------- page

async function loadReport() {
  $('banner').hidden = true;
  document.body.dataset.ready = 'loading';
  bundle = await vendor('/api/grants');
  gk.addGrants(grantsOf(bundle));
  await gk.cosignAll();
  const parts = await Promise.allSettled(bundle.report.objects.map((o) => (RENDER[o.kind] || renderText)(o)));
  const failed = parts.find((p) => p.status === 'rejected');
  if (failed) throw failed.reason;
  await listAttachments();
  document.body.classList.remove('no-data');
}

const pristine = $('report-body').cloneNode(true);

/** A refusal leaves no earlier figures on screen: the customer's gatekeeper has the last word. */
function clearReport() {
  const blank = pristine.cloneNode(true);
  for (const p of blank.querySelectorAll('.placeholder')) p.textContent = 'Not available.';
  $('report-body').replaceWith(blank);
  $('attachments').replaceChildren();
  $('attachments-count').textContent = '';
  document.body.classList.add('no-data');
}

function run() {
  loadReport()
    .then(() => { document.body.dataset.ready = 'true'; })
    .catch((e) => {
      showRefusal(e);
      clearReport();
      document.body.dataset.ready = 'error';
    });
}

$('title').textContent = cfg.reportTitle;
$('user').textContent = cfg.user;
$('avatar').textContent = cfg.user.split('@')[0].split(/[^A-Za-z]+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
$('gatekeeper').textContent = new URL(cfg.gatekeeper).host;
$('retry').onclick = run;
$('refresh').onclick = run;
$('file').onchange = () => { $('file-chosen').textContent = $('file').files[0] ? $('file').files[0].name : 'No file chosen'; };
$('upload').onsubmit = (ev) => {
  ev.preventDefault();
  const file = $('file').files[0];
  if (!file) return;
  $('upload-button').disabled = true;
  upload(file)
    .catch((e) => {
      const s = $('upload-status');
      s.className = 'upload-status bad';
      s.dataset.code = e.code || 'vendor';
      s.textContent = 'Upload refused: ' + (HUMAN[e.code] || e.message) + (e.code ? ' (' + e.code + ')' : '');
    })
    .finally(() => { $('upload-button').disabled = false; });
};
run();
`;

const STYLE = `
  :root { --ink: #1d2433; --muted: #667085; --line: #e4e7ec; --bg: #f6f7f9; --card: #fff; --brand: #3b5bdb; --up: #12805c; --down: #c4320a; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.5 "Inter", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
  .topbar { display: flex; align-items: center; justify-content: space-between; padding: 0 32px; height: 56px; background: #101828; color: #fff; }
  .brand { display: flex; align-items: center; gap: 10px; font-weight: 600; letter-spacing: .2px; }
  .logo { width: 26px; height: 26px; border-radius: 7px; background: linear-gradient(135deg, #6d8cff, #3b5bdb); display: inline-block; }
  .brand small { font-weight: 400; color: #98a2b3; margin-left: 6px; }
  .user { display: flex; align-items: center; gap: 10px; color: #d0d5dd; font-size: 13px; }
  .avatar { width: 28px; height: 28px; border-radius: 50%; background: #344054; color: #fff; display: grid; place-items: center; font-size: 11px; font-weight: 600; }
  main { max-width: 1080px; margin: 0 auto; padding: 28px 32px 48px; }
  .head { display: flex; align-items: flex-end; justify-content: space-between; gap: 16px; margin-bottom: 20px; }
  .eyebrow { margin: 0; color: var(--brand); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .08em; }
  h1 { margin: 4px 0 6px; font-size: 26px; line-height: 1.2; }
  .sub { margin: 0; color: var(--muted); }
  .pill { display: inline-flex; align-items: center; gap: 6px; padding: 1px 10px; border-radius: 999px; background: #ecfdf3; color: #067647; font-weight: 500; font-size: 12px; }
  .pill::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: #17b26a; }
  button { font: inherit; border-radius: 8px; border: 1px solid var(--line); background: #fff; padding: 7px 14px; cursor: pointer; color: var(--ink); font-weight: 500; }
  button:hover { background: #f9fafb; }
  button.primary { background: var(--brand); border-color: var(--brand); color: #fff; }
  button.primary:disabled { opacity: .6; cursor: default; }
  .banner { display: flex; gap: 14px; align-items: flex-start; padding: 16px 18px; margin-bottom: 20px; border: 1px solid #fecdca; background: #fef3f2; border-radius: 12px; }
  .banner[hidden] { display: none; }
  .banner-icon { flex: none; width: 28px; height: 28px; border-radius: 50%; background: #d92d20; color: #fff; display: grid; place-items: center; font-weight: 700; }
  .banner-body { flex: 1; }
  .banner strong { display: block; color: #912018; font-size: 15px; }
  .banner p { margin: 4px 0 0; color: #7a271a; }
  .banner code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #fee4e2; padding: 1px 6px; border-radius: 4px; }
  .banner-meta { font-size: 12px; }
  .kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 16px; margin-bottom: 16px; }
  .kpi, .card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; box-shadow: 0 1px 2px rgba(16, 24, 40, .04); }
  .kpi { padding: 16px 18px; min-height: 96px; }
  .kpi-label { color: var(--muted); font-size: 12px; font-weight: 500; }
  .kpi-value { font-size: 22px; font-weight: 650; margin: 2px 0; }
  .kpi-note { font-size: 12px; color: var(--muted); }
  .up { color: var(--up); } .down { color: var(--down); }
  .grid { display: grid; grid-template-columns: 1.1fr 1fr; gap: 16px; margin-bottom: 16px; }
  .card { padding: 18px 20px; margin-bottom: 16px; }
  .grid .card { margin-bottom: 0; }
  .card h2 { margin: 0 0 12px; font-size: 15px; display: flex; justify-content: space-between; align-items: baseline; }
  .card h2 span, .card h2 a { font-weight: 400; color: var(--muted); font-size: 12px; }
  .card h2 a { color: var(--brand); font-size: 13px; font-weight: 500; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th { text-align: left; font-size: 12px; color: var(--muted); font-weight: 500; padding: 6px 8px; border-bottom: 1px solid var(--line); }
  td { padding: 8px; border-bottom: 1px solid #f2f4f7; }
  .num { text-align: right; }
  .strong { font-weight: 600; }
  .total { font-weight: 650; border-bottom: none; border-top: 1px solid var(--line); }
  figure { margin: 0; }
  #chart { width: 100%; height: auto; display: block; border-radius: 8px; }
  figcaption { font-size: 12px; color: var(--muted); margin-top: 6px; }
  a { color: var(--brand); text-decoration: none; }
  a:hover { text-decoration: underline; }
  #notes { margin: 0; color: #344054; white-space: pre-line; }
  .files { list-style: none; margin: 0 0 14px; padding: 0; display: grid; grid-template-columns: repeat(2, 1fr); gap: 10px; }
  .file { display: flex; gap: 12px; align-items: center; padding: 10px 12px; border: 1px solid var(--line); border-radius: 10px; }
  .file.fresh { border-color: #84adff; background: #f5f8ff; }
  .thumb, .icon { width: 44px; height: 44px; border-radius: 8px; flex: none; object-fit: cover; border: 1px solid var(--line); }
  .icon { display: grid; place-items: center; background: #eef4ff; color: var(--brand); font-size: 10px; font-weight: 700; }
  .file-text { display: flex; flex-direction: column; min-width: 0; }
  .file-name { font-weight: 500; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .file-meta { font-size: 12px; color: var(--muted); }
  .empty { color: var(--muted); }
  .uploader { display: flex; align-items: center; gap: 12px; padding-top: 14px; border-top: 1px solid var(--line); flex-wrap: wrap; }
  .picker { position: relative; overflow: hidden; }
  .picker input { position: absolute; inset: 0; opacity: 0; cursor: pointer; }
  #file-chosen { color: var(--muted); flex: 1; min-width: 120px; }
  .progress-row { display: flex; align-items: center; gap: 10px; margin-top: 12px; }
  .progress-row[hidden] { display: none; }
  progress { flex: 1; height: 8px; appearance: none; border: none; border-radius: 999px; overflow: hidden; background: #eaecf0; }
  progress::-webkit-progress-bar { background: #eaecf0; }
  progress::-webkit-progress-value { background: var(--brand); border-radius: 999px; }
  progress::-moz-progress-bar { background: var(--brand); }
  #progress-text { font-size: 12px; color: var(--muted); width: 40px; text-align: right; }
  .upload-status { margin: 8px 0 0; font-size: 13px; color: var(--up); min-height: 1em; }
  .upload-status.bad { color: var(--down); }
  .placeholder, #notes.placeholder { color: var(--muted); }
  a:not([href]) { display: none; }
  body.no-data .kpi-value { color: #d0d5dd; }
  footer { max-width: 1080px; margin: 0 auto; padding: 0 32px 32px; color: var(--muted); font-size: 12px; }
  @media (max-width: 760px) { .kpis, .grid, .files { grid-template-columns: 1fr 1fr; } .grid { grid-template-columns: 1fr; } }
`;

/** JSON for a <script type="application/json"> block: `<` escaped so no text can close the element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function demoPageHtml(cfg: PageConfig, nonce: string): string {
  const kpi = (label: string): string =>
    `<div class="kpi"><div class="kpi-label">${label}</div><div class="kpi-value">—</div><div class="kpi-note">&nbsp;</div></div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Report · Northwind Analytics</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body class="no-data" data-ready="loading">
<header class="topbar">
  <div class="brand"><span class="logo"></span>Northwind Analytics<small>demo vendor</small></div>
  <div class="user"><span id="user"></span><span class="avatar" id="avatar"></span></div>
</header>
<main>
  <div class="banner" id="banner" role="alert" hidden>
    <div class="banner-icon">!</div>
    <div class="banner-body">
      <strong id="banner-title"></strong>
      <p id="banner-text"></p>
      <p class="banner-meta" id="banner-meta">Reason <code id="banner-code"></code> <span id="banner-request"></span></p>
    </div>
    <button id="retry">Try again</button>
  </div>
  <div class="head">
    <div>
      <p class="eyebrow">Quarterly report</p>
      <h1 id="title"></h1>
      <p class="sub">Data served by your organisation's gatekeeper <span class="pill" id="gatekeeper"></span> and never stored by Northwind.</p>
    </div>
    <button id="refresh">Refresh</button>
  </div>
  <div id="report-body">
  <section class="kpis" id="kpis">${kpi('Total revenue')}${kpi('Change vs Q3')}${kpi('Fastest growth')}${kpi('Largest region')}</section>
  <div class="grid">
    <section class="card"><h2>Revenue by region</h2><table id="regions"><tr><td class="placeholder">Loading…</td></tr></table></section>
    <section class="card"><h2>Revenue chart <a id="chart-link" target="_blank" rel="noopener noreferrer">Open</a></h2>
      <figure><img id="chart" alt=""><figcaption>Q4 revenue per region, EUR</figcaption></figure></section>
  </div>
  <section class="card"><h2>Monthly revenue <span>EUR, from monthly.csv</span></h2><table id="monthly"><tr><td class="placeholder">Loading…</td></tr></table></section>
  <section class="card"><h2>Analyst notes</h2><p id="notes" class="placeholder">Loading…</p></section>
  </div>
  <section class="card">
    <h2>Attachments <span id="attachments-count"></span></h2>
    <ul class="files" id="attachments"></ul>
    <form class="uploader" id="upload">
      <span class="picker"><button type="button" tabindex="-1">Choose file</button><input type="file" id="file" aria-label="File to attach"></span>
      <span id="file-chosen">No file chosen</span>
      <button class="primary" id="upload-button">Upload</button>
    </form>
    <div class="progress-row" id="progress-row" hidden><progress id="progress" max="1" value="0"></progress><span id="progress-text">0%</span></div>
    <p class="upload-status" id="upload-status"></p>
  </section>
</main>
<footer>Files are read and written directly between your browser and your organisation's storage, through its gatekeeper. Northwind signs access grants; it never sees the files.</footer>
<script type="application/json" id="gk-config">${scriptJson(cfg)}</script>
<script type="module" nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
