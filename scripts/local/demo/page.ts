/**
 * The demo report page: plain HTML and one inline module script. In the
 * browser it gets grants from the vendor (this app), has them countersigned
 * by the gatekeeper, and fetches, lists and uploads objects straight at the
 * gatekeeper: no object byte passes through the vendor.
 *
 * Everything from an object or an answer is written with textContent (or as
 * a blob: image), never as HTML.
 */
export interface PageConfig {
  gatekeeper: string;
  reportTitle: string;
  user: string;
}

/** The page's script, kept apart so a test can syntax-check it. */
export const PAGE_SCRIPT = String.raw`
const cfg = JSON.parse(document.getElementById('gk-config').textContent);
const $ = (id) => document.getElementById(id);

class GkError extends Error {
  constructor(where, status, body) {
    const code = body && body.error && body.error.code ? body.error.code : 'http_' + status;
    super(where + ': ' + code);
    this.code = code;
    this.status = status;
  }
}

function say(msg, bad) {
  const li = document.createElement('li');
  li.textContent = new Date().toLocaleTimeString() + '  ' + msg;
  if (bad) li.className = 'bad';
  $('log').prepend(li);
}

async function readJson(res) {
  const text = await res.text();
  try { return JSON.parse(text); } catch { return { raw: text }; }
}

async function vendor(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) });
  const data = await readJson(res);
  if (!res.ok) throw new GkError('vendor ' + path, res.status, data);
  return data;
}

async function gatekeeper(path, body) {
  const res = await fetch(cfg.gatekeeper + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = await readJson(res);
  if (!res.ok) throw new GkError(path, res.status, data);
  return data;
}

/** One cosign call for many grants; a refused grant becomes an error in its slot. */
async function cosign(grants) {
  const { results } = await gatekeeper('/_gatekeeper/v1/cosign', { grants });
  return results.map((r) => (r.cosig ? r.cosig : new GkError('cosign', 200, r)));
}

function objectUrl(key) {
  return cfg.gatekeeper + '/' + key.split('/').map(encodeURIComponent).join('/');
}

async function fetchObject(key, grant, cosig) {
  const res = await fetch(objectUrl(key), { headers: { 'x-gk-grant': grant, 'x-gk-cosig': cosig } });
  if (!res.ok) throw new GkError('GET ' + key, res.status, await readJson(res));
  return res;
}

function cell(row, text, tag) {
  const c = document.createElement(tag || 'td');
  c.textContent = text;
  row.append(c);
  return c;
}

/** One section per object, in report order, filled as its object arrives. */
function placeholder(obj) {
  const box = document.createElement('section');
  const h = document.createElement('h3');
  h.textContent = obj.key;
  box.append(h);
  $('report').append(box);
  return box;
}

async function render(obj, res, box) {
  if (obj.kind === 'table') {
    const data = await res.json();
    const table = document.createElement('table');
    const head = document.createElement('tr');
    ['Region', 'Revenue (' + data.currency + ')', 'Change'].forEach((t) => cell(head, t, 'th'));
    table.append(head);
    for (const r of data.rows) {
      const tr = document.createElement('tr');
      cell(tr, r.region);
      cell(tr, r.revenue.toLocaleString());
      cell(tr, (r.change * 100).toFixed(1) + ' %');
      table.append(tr);
    }
    box.append(table);
  } else if (obj.kind === 'image') {
    const img = document.createElement('img');
    img.alt = obj.key;
    img.src = URL.createObjectURL(await res.blob());
    box.append(img);
  } else {
    const pre = document.createElement('pre');
    pre.textContent = await res.text();
    box.append(pre);
  }
}

let state = null;

async function loadReport() {
  $('report').replaceChildren();
  const g = await vendor('/api/grants');
  say('vendor signed ' + (g.report.objects.length + 2) + ' grants for ' + g.user);
  const grants = [...g.report.objects.map((o) => o.grant), g.attachments.list, g.attachments.get];
  const cosigs = await cosign(grants);
  say('gatekeeper countersigned ' + cosigs.filter((c) => typeof c === 'string').length + ' of ' + cosigs.length);
  state = { g, listCosig: cosigs[grants.length - 2], getCosig: cosigs[grants.length - 1] };
  const boxes = g.report.objects.map(placeholder);
  await Promise.all(
    g.report.objects.map(async (obj, i) => {
      try {
        if (typeof cosigs[i] !== 'string') throw cosigs[i];
        await render(obj, await fetchObject(obj.key, obj.grant, cosigs[i]), boxes[i]);
      } catch (e) {
        const p = document.createElement('p');
        p.className = 'bad';
        p.textContent = e.message;
        boxes[i].append(p);
        say(obj.key + ': ' + e.message, true);
      }
    }),
  );
  await listAttachments();
}

async function listAttachments() {
  const list = $('attachments');
  list.replaceChildren();
  const { g, listCosig, getCosig } = state;
  if (typeof listCosig !== 'string') throw listCosig;
  const out = await gatekeeper('/_gatekeeper/v1/list', { grant: g.attachments.list, cosig: listCosig, prefix: g.attachments.prefix });
  for (const o of out.objects) {
    const tr = document.createElement('tr');
    cell(tr, o.key.slice(g.attachments.prefix.length));
    cell(tr, String(o.size));
    cell(tr, o.lastModified);
    const btn = document.createElement('button');
    btn.textContent = 'download';
    btn.onclick = () =>
      download(o.key, g.attachments.get, getCosig).catch((e) => say(o.key + ': ' + e.message, true));
    cell(tr, '').append(btn);
    list.append(tr);
  }
  say('listed ' + out.objects.length + ' attachment(s)');
}

async function download(key, grant, cosig) {
  if (typeof cosig !== 'string') throw cosig;
  const blob = await (await fetchObject(key, grant, cosig)).blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = key.split('/').pop();
  a.click();
  say('downloaded ' + key + ' (' + blob.size + ' bytes)');
}

function hex(buf) {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function base64(buf) {
  let s = '';
  for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
  return btoa(s);
}

async function upload(file) {
  const body = await file.arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', body);
  const contentType = file.type || 'application/octet-stream';
  // The vendor sees the name, size, type and digest; never the bytes.
  const up = await vendor('/api/upload-grant', { name: file.name, size: body.byteLength, contentType, sha256: hex(digest) });
  const [cosig] = await cosign([up.grant]);
  if (typeof cosig !== 'string') throw cosig;
  const res = await fetch(objectUrl(up.key), {
    method: 'PUT',
    headers: { 'x-gk-grant': up.grant, 'x-gk-cosig': cosig, 'content-type': contentType, 'x-amz-checksum-sha256': base64(digest) },
    body,
  });
  if (!res.ok) throw new GkError('PUT ' + up.key, res.status, await readJson(res));
  say('uploaded ' + up.key + ' (' + body.byteLength + ' bytes)');
  await listAttachments();
}

$('title').textContent = cfg.reportTitle;
$('who').textContent = cfg.user + ' → ' + cfg.gatekeeper;
$('reload').onclick = () => loadReport().catch((e) => say(e.message, true));
$('upload').onsubmit = (ev) => {
  ev.preventDefault();
  const file = $('file').files[0];
  if (!file) return say('choose a file first', true);
  upload(file).catch((e) => say(e.message, true));
};
loadReport()
  .then(() => { document.body.dataset.ready = 'true'; })
  .catch((e) => { say(e.message, true); document.body.dataset.ready = 'error'; });
`;

/** JSON for a <script type="application/json"> block: `<` escaped so no text can close the element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function demoPageHtml(cfg: PageConfig, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Demo vendor report</title>
<style nonce="${nonce}">
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; max-width: 60rem; color: #222; }
  table { border-collapse: collapse; margin: .5rem 0; }
  td, th { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
  section { margin-bottom: 1.5rem; }
  #log { font: 12px ui-monospace, monospace; list-style: none; padding: 0; max-height: 14rem; overflow: auto; }
  .bad { color: #b00020; }
  .muted { color: #666; }
</style>
</head>
<body>
<h1 id="title"></h1>
<p class="muted">Signed in as <span id="who"></span>. Grants come from the vendor; every object comes straight from the gatekeeper.</p>
<button id="reload">Reload report</button>
<div id="report"></div>
<h2>Attachments</h2>
<table><thead><tr><th>Name</th><th>Bytes</th><th>Last modified</th><th></th></tr></thead><tbody id="attachments"></tbody></table>
<form id="upload"><input type="file" id="file"> <button>Upload</button></form>
<h2>Log</h2>
<ul id="log"></ul>
<script type="application/json" id="gk-config">${scriptJson(cfg)}</script>
<script type="module" nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
