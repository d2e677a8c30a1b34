// tc3-edge demo console: plain ES module, no framework, no build step.
//
// Secrets: the SecretKey (and session token) live only in their password inputs' `value`
// properties. They are read when a client is built, never stored (no Web Storage, cookies or
// IndexedDB), never logged, never put in the DOM as text or attributes, never in a URL.
// Every string this page shows from a signed request additionally goes through `redact()`.

// The emulator's permanent test account (emulator/account.js); it does not work against the
// real API. Prefilled through the `value` property so it never appears in the page's HTML.
const TEST_ACCOUNT = {
  secretId: 'AKIDtc3edgeEmulator0000000000000000001',
  secretKey: 'tc3edgeEmulatorSecretKey00000000001',
};
const DEFAULT_BUCKET = 'backup-1250000000';
const DESCRIBE_LIMIT = 100;
// waitForExport timing for the demo: the emulator writes an export's files within seconds, so
// poll every second at first and at least every 5 s (the library's defaults are 5 s and 120 s,
// for real exports that take hours). Give up after an hour.
const WAIT_OPTIONS = { interval: 1, maxInterval: 5, timeout: 3600 };
const MAX_ACTIVITY = 30;

const el = (id) => document.getElementById(id);
const els = {
  form: el('export-form'),
  secretId: el('secret-id'),
  secretKey: el('secret-key'),
  token: el('token'),
  region: el('region'),
  endpoint: el('endpoint'),
  signHost: el('sign-host'),
  cosEndpoint: el('cos-endpoint'),
  loadImages: el('load-images'),
  imagesStatus: el('images-status'),
  imagesArea: el('images-area'),
  imagesBody: el('images-body'),
  imageIds: el('image-ids'),
  selected: el('selected-images'),
  bucket: el('bucket-name'),
  format: el('export-format'),
  role: el('role-name'),
  onlyRoot: el('only-root-disk'),
  dryRun: el('dry-run'),
  prefixList: el('prefix-list'),
  validity: el('validity'),
  preview: el('request-preview'),
  explainButton: el('explain-button'),
  explainPanel: el('explain-panel'),
  explainRefresh: el('explain-refresh'),
  explainError: el('explain-error'),
  explainContent: el('explain-content'),
  copyCurl: el('copy-curl'),
  exportButton: el('export-button'),
  result: el('result'),
  resultBody: el('result-body'),
  activity: el('activity'),
  files: el('files'),
  filesCancel: el('files-cancel'),
  filesStatus: el('files-status'),
  filesProgress: el('files-progress'),
  filesCount: el('files-count'),
  filesElapsed: el('files-elapsed'),
  filesList: el('files-list'),
  appStatus: document.querySelector('[data-testid="app-status"]'),
};

// Error boxes, by the area they belong to.
const ERROR_BOXES = ['credentials', 'connection', 'images', 'bucket', 'format', 'role', 'options', 'prefixes', 'form']
  .map((k) => [k, el(`${k}-error`)]);
const errorBox = Object.fromEntries(ERROR_BOXES);

let lib = null;             // { CvmClient, TencentCloudError } once the wasm is ready
let client = null;          // the CvmClient for the current connection settings
let clientError = null;     // why it could not be built
let connectionDirty = true; // connection fields changed since `client` was built
let images = [];            // DescribeImages ImageSet
const checked = new Set();  // ImageIds ticked in the table
const prefixes = new Map(); // ImageId → prefix typed for it
let prefixOrder = '';       // ImageIds the prefix inputs were rendered for
let imagesSeq = 0;          // newest DescribeImages call (older answers are dropped)
let busy = false;           // an ExportImages call is in flight
let lastValid = false;

// ---------------------------------------------------------------------------------------------
// Small DOM helpers (everything from the network is set with textContent, never innerHTML).

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'for' || k === 'title') node.setAttribute(k, v === true ? '' : String(v));
    else node[k] = v;
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Replaces any secret that might have slipped into a string with `***`. */
function redact(text) {
  let out = String(text ?? '');
  for (const secret of [els.secretKey.value, els.token.value.trim()]) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** An error code element that wraps only after its dots (`UnsupportedOperation.<wbr>…`). */
function codeNode(code, attrs = {}) {
  const parts = String(code).split('.');
  return h('code', { class: 'err-code', ...attrs },
    parts.flatMap((part, i) => (i < parts.length - 1 ? [`${part}.`, h('wbr')] : [part])));
}

const errCode = (err) => (err && typeof err.code === 'string' ? err.code : 'Client.Unexpected');
const errMessage = (err) => redact(err && err.message ? err.message : String(err));

// ---------------------------------------------------------------------------------------------
// The client

function readConnection() {
  return {
    secretId: els.secretId.value.trim(),
    token: els.token.value.trim(),
    region: els.region.value,
    endpoint: els.endpoint.value.trim(),
    host: els.signHost.value.trim(),
    cosEndpoint: els.cosEndpoint.value.trim(),
  };
}

/** Builds the client when a connection field changed; returns it (or null, with clientError). */
function currentClient() {
  if (!lib) return null;
  if (!connectionDirty) return client;
  connectionDirty = false;
  const c = readConnection();
  const httpProfile = { reqTimeout: 30 };
  if (c.endpoint) httpProfile.endpoint = c.endpoint;
  if (c.host) httpProfile.host = c.host;
  try {
    client = new lib.CvmClient({
      credential: { secretId: c.secretId, secretKey: els.secretKey.value.trim(), ...(c.token ? { token: c.token } : {}) },
      region: c.region,
      profile: { httpProfile, ...(c.cosEndpoint ? { cosEndpoint: c.cosEndpoint } : {}) },
    });
    clientError = null;
  } catch (err) {
    // The old client is dropped; its wasm memory is released by the library's FinalizationRegistry.
    client = null;
    clientError = err;
  }
  return client;
}

// ---------------------------------------------------------------------------------------------
// Parameters

/** Selected images in request order: ticked rows (table order), then typed IDs; each once. */
function selectedImages() {
  const list = [];
  const seen = new Set();
  for (const img of images) {
    if (checked.has(img.ImageId) && !seen.has(img.ImageId)) {
      seen.add(img.ImageId);
      list.push({ id: img.ImageId, source: 'table' });
    }
  }
  for (const id of els.imageIds.value.split(/[\s,;]+/).filter(Boolean)) {
    if (!seen.has(id)) {
      seen.add(id);
      list.push({ id, source: 'typed' });
    }
  }
  return list;
}

function buildParams() {
  const sel = selectedImages();
  const params = { BucketName: els.bucket.value.trim(), ImageIds: sel.map((s) => s.id) };
  if (els.format.value) params.ExportFormat = els.format.value;
  const list = sel.map((s) => (prefixes.get(s.id) ?? '').trim());
  if (list.some((p) => p !== '')) params.FileNamePrefixList = list;
  if (els.onlyRoot.checked) params.OnlyExportRootDisk = true;
  if (els.dryRun.checked) params.DryRun = true;
  const role = els.role.value.trim();
  if (role) params.RoleName = role;
  return { params, sel };
}

// ---------------------------------------------------------------------------------------------
// Validation and field errors

function clearErrors() {
  for (const [, box] of ERROR_BOXES) {
    box.hidden = true;
    box.replaceChildren();
    delete box.dataset.code;
    delete box.dataset.field;
  }
  for (const node of document.querySelectorAll('[aria-invalid="true"]')) node.removeAttribute('aria-invalid');
  for (const row of els.imagesBody.querySelectorAll('tr.invalid')) row.classList.remove('invalid');
}

/** Where a validation error belongs: `err.field` (e.g. `ImageIds.1`) → error box + control. */
function targetOf(field, sel) {
  const [name, index] = String(field ?? '').split('.');
  const i = index === undefined ? -1 : Number(index);
  switch (name) {
    case 'BucketName': return { box: 'bucket', control: els.bucket };
    case 'ImageIds':
    case 'SnapshotIds': {
      const item = sel[i];
      if (item && item.source === 'table') {
        const row = els.imagesBody.querySelector(`tr[data-image-id="${CSS.escape(item.id)}"]`);
        return { box: 'images', control: row?.querySelector('input'), row, subject: item.id };
      }
      if (item) return { box: 'images', control: els.imageIds, subject: item.id };
      return { box: 'images', control: els.imagesArea };
    }
    case 'FileNamePrefixList': {
      const inputs = els.prefixList.querySelectorAll('input');
      return { box: 'prefixes', control: i >= 0 ? inputs[i] : inputs[0], subject: i >= 0 ? sel[i]?.id : undefined };
    }
    case 'ExportFormat': return { box: 'format', control: els.format };
    case 'RoleName': return { box: 'role', control: els.role };
    case 'OnlyExportRootDisk': return { box: 'options', control: els.onlyRoot };
    case 'DryRun': return { box: 'options', control: els.dryRun };
    default: return { box: 'form' };
  }
}

/** Client-option errors carry no `field`; their message names the option. */
function connectionTargetOf(err) {
  const m = String(err?.message ?? '');
  if (errCode(err) === 'Client.InvalidCredential') {
    if (/secretKey/.test(m)) return { box: 'credentials', control: els.secretKey };
    if (/token/.test(m)) return { box: 'credentials', control: els.token };
    return { box: 'credentials', control: els.secretId };
  }
  if (/^cosEndpoint/.test(m) || err?.field === 'profile.cosEndpoint') return { box: 'connection', control: els.cosEndpoint };
  if (/^endpoint/.test(m)) return { box: 'connection', control: els.endpoint };
  if (/^host/.test(m)) return { box: 'connection', control: els.signHost };
  if (/^region/.test(m)) return { box: 'connection', control: els.region };
  return { box: 'connection' };
}

function showError(target, err) {
  const box = errorBox[target.box] ?? errorBox.form;
  const code = errCode(err);
  box.dataset.code = code;
  if (err?.field) box.dataset.field = err.field;
  const where = err?.field ? `${err.field}${target.subject ? ` = ${JSON.stringify(target.subject)}` : ''}` : '';
  box.replaceChildren(...[
    codeNode(code, { 'data-testid': 'error-code' }),
    ' ',
    h('span', { class: 'err-message', 'data-testid': 'error-message', text: errMessage(err) }),
    where ? h('span', { class: 'err-field', 'data-testid': 'error-field', text: where }) : null,
  ].filter(Boolean));
  box.hidden = false;
  if (target.control) target.control.setAttribute('aria-invalid', 'true');
  if (target.row) target.row.classList.add('invalid');
}

/**
 * Validates the form with the library (the same checks ExportImages runs before sending).
 * Renders the error next to its field; returns { client, params } when valid, else null.
 */
function validate() {
  clearErrors();
  const { params, sel } = buildParams();
  const c = currentClient();
  let result = null;
  let problem = null;
  if (!lib) {
    problem = 'The WebAssembly module is not loaded.';
  } else if (!c) {
    showError(connectionTargetOf(clientError), clientError);
    problem = `Fix the connection settings: ${errCode(clientError)}`;
  } else {
    try {
      c.validateExportImages(params);
      result = { client: c, params, sel };
    } catch (err) {
      showError(targetOf(err?.field, sel), err);
      problem = `Fix ${err?.field ?? 'the form'}: ${errCode(err)}`;
    }
  }
  lastValid = !!result;
  els.exportButton.disabled = !result || busy;
  els.validity.dataset.valid = String(!!result);
  els.validity.textContent = result
    ? `Ready: ${params.ImageIds.length} image${params.ImageIds.length === 1 ? '' : 's'} → ${params.BucketName}${params.DryRun ? ' (dry run)' : ''}`
    : problem;
  els.preview.textContent = JSON.stringify(params, null, 2);
  if (!els.explainPanel.hidden) renderExplain(result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Images (DescribeImages)

const TYPE_LABELS = { PRIVATE_IMAGE: 'Private', PUBLIC_IMAGE: 'Public', SHARED_IMAGE: 'Shared', MARKET_IMAGE: 'Marketplace' };

function renderImages() {
  if (images.length === 0) {
    els.imagesBody.replaceChildren(h('tr', { class: 'placeholder' }, h('td', { colSpan: 7, text: 'No images.' })));
    return;
  }
  els.imagesBody.replaceChildren(...images.map((img) => {
    const id = String(img.ImageId);
    const box = h('input', {
      type: 'checkbox', checked: checked.has(id), 'data-testid': 'image-checkbox', 'data-image-id': id,
      'aria-label': `Select ${id}${img.ImageName ? ` (${img.ImageName})` : ''}`,
    });
    box.addEventListener('change', () => {
      if (box.checked) checked.add(id); else checked.delete(id);
      row.classList.toggle('selected', box.checked);
      onSelectionChange();
    });
    const type = String(img.ImageType ?? '');
    const state = String(img.ImageState ?? '');
    const row = h('tr', { 'data-testid': 'image-row', 'data-image-id': id, class: checked.has(id) ? 'selected' : '' },
      h('td', { class: 'col-check' }, box),
      h('td', { class: 'mono', 'data-testid': 'image-id', text: id }),
      h('td', { 'data-testid': 'image-name', text: img.ImageName ?? '' }),
      h('td', {}, h('span', { class: `badge badge-${type.toLowerCase().replace('_image', '')}`, text: TYPE_LABELS[type] ?? type })),
      h('td', { 'data-testid': 'image-os' }, String(img.OsName ?? ''),
        img.Architecture && img.Architecture !== 'x86_64' ? h('span', { class: 'arch', text: img.Architecture }) : null),
      h('td', { class: 'num', 'data-testid': 'image-size', text: img.ImageSize != null ? `${img.ImageSize} GB` : '' }),
      h('td', {}, h('span', { class: `state state-${state.toLowerCase()}`, text: state })),
    );
    // A click anywhere on the row toggles it.
    row.addEventListener('click', (ev) => {
      if (ev.target === box) return;
      box.checked = !box.checked;
      box.dispatchEvent(new Event('change'));
    });
    return row;
  }));
}

function setImagesStatus(state, ...content) {
  els.imagesStatus.dataset.state = state;
  els.imagesStatus.replaceChildren(...content);
}

async function loadImages() {
  const c = currentClient();
  if (!c) {
    setImagesStatus('error', 'Fix the connection settings first.');
    validate();
    return;
  }
  const seq = ++imagesSeq;
  els.loadImages.disabled = true;
  setImagesStatus('loading', 'Loading…');
  const region = els.region.value;
  try {
    const res = await c.request('DescribeImages', { Limit: DESCRIBE_LIMIT });
    if (seq !== imagesSeq) return;
    images = Array.isArray(res?.ImageSet) ? res.ImageSet : [];
    const ids = new Set(images.map((i) => i.ImageId));
    for (const id of [...checked]) if (!ids.has(id)) checked.delete(id);
    renderImages();
    setImagesStatus('loaded', `${images.length} of ${res?.TotalCount ?? images.length} images in ${region}`);
    logActivity('ok', 'DescribeImages', `${images.length} images`, res?.RequestId);
  } catch (err) {
    if (seq !== imagesSeq) return;
    setImagesStatus('error', codeNode(errCode(err)), ' ', errMessage(err));
    logActivity('error', 'DescribeImages', errCode(err), err?.requestId);
  } finally {
    if (seq === imagesSeq) {
      els.loadImages.disabled = false;
      onSelectionChange();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Selection summary and per-image prefixes

function onSelectionChange() {
  const sel = selectedImages();
  els.selected.replaceChildren(...(sel.length === 0
    ? [h('span', { class: 'muted', text: 'No image selected.' })]
    : [h('span', { class: 'muted', text: `Selected (${sel.length}):` }),
      ...sel.map((s) => h('span', {
        class: `chip${s.source === 'typed' ? ' chip-typed' : ''}`, 'data-testid': 'selected-chip',
        title: s.source === 'typed' ? 'typed' : 'from the list', text: s.id,
      }))]));
  const order = sel.map((s) => s.id).join('\n');
  if (order !== prefixOrder) {
    prefixOrder = order;
    renderPrefixes(sel);
  }
  validate();
}

function renderPrefixes(sel) {
  if (sel.length === 0) {
    els.prefixList.replaceChildren(h('p', { class: 'muted', text: 'Select images to set their prefixes.' }));
    return;
  }
  els.prefixList.replaceChildren(...sel.map((s, i) => {
    const inputId = `prefix-${i}`;
    const input = h('input', {
      id: inputId, type: 'text', spellcheck: false, value: prefixes.get(s.id) ?? '', placeholder: 'no prefix',
      'data-testid': 'prefix-input', 'data-image-id': s.id, 'aria-describedby': 'prefixes-error',
    });
    input.addEventListener('input', () => {
      prefixes.set(s.id, input.value);
      validate();
    });
    return h('div', { class: 'prefix-row' }, h('label', { for: inputId, class: 'mono', text: s.id }), input);
  }));
}

// ---------------------------------------------------------------------------------------------
// Explain view

// The typings say `headers` is a Map; the library returns a plain object. Accept both.
function headerEntries(headers) {
  if (!headers) return [];
  if (headers instanceof Map || headers instanceof Headers) return [...headers.entries()];
  return Object.entries(headers);
}

/** Headers as shown and as put in curl: X-TC-Token (and any secret) replaced by `***`. */
function shownHeaders(headers) {
  return headerEntries(headers).map(([name, value]) => [name, /^x-tc-token$/i.test(name) ? '***' : redact(value)]);
}

const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function curlCommand(signed, headers) {
  const lines = [`curl -sS -X ${signed.method} ${shellQuote(signed.url)}`];
  for (const [name, value] of headers) lines.push(`  -H ${shellQuote(`${name}: ${value}`)}`);
  if (signed.body) lines.push(`  --data-raw ${shellQuote(redact(signed.body))}`);
  return lines.join(' \\\n');
}

function renderExplain(valid) {
  const setText = (id, text) => { el(id).textContent = text; };
  els.explainError.hidden = true;
  els.explainError.replaceChildren();
  if (!valid) {
    els.explainContent.hidden = true;
    els.explainError.replaceChildren(h('span', { text: 'Nothing to explain until the form is valid — see the highlighted field.' }));
    els.explainError.hidden = false;
    return;
  }
  let signed;
  try {
    signed = valid.client.signExportImages(valid.params);
  } catch (err) {
    els.explainContent.hidden = true;
    els.explainError.replaceChildren(codeNode(errCode(err)), ' ', errMessage(err));
    els.explainError.hidden = false;
    return;
  }
  const headers = shownHeaders(signed.headers);
  const ts = headers.find(([n]) => /^x-tc-timestamp$/i.test(n))?.[1];
  const signedHost = /(?:^|\n)host:([^\n]*)/.exec(signed.canonicalRequest)?.[1] ?? '';
  el('explain-meta').textContent =
    `${signed.method} ${signed.url} · signed for host ${signedHost}` +
    (ts ? ` · timestamp ${ts} (${new Date(Number(ts) * 1000).toISOString().replace('.000', '')})` : '');
  setText('explain-canonical', redact(signed.canonicalRequest));
  setText('explain-string-to-sign', redact(signed.stringToSign));
  setText('explain-signature', redact(signed.signature));
  setText('explain-headers', headers.map(([n, v]) => `${n}: ${v}`).join('\n'));
  setText('explain-body', redact(signed.body));
  setText('explain-curl', curlCommand(signed, headers));
  els.explainContent.hidden = false;
}

function toggleExplain() {
  const open = els.explainPanel.hidden;
  els.explainPanel.hidden = !open;
  els.explainButton.setAttribute('aria-expanded', String(open));
  els.explainButton.textContent = open ? 'Hide signature' : 'Explain signature';
  if (open) {
    validate(); // renders the panel
    els.explainPanel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }
}

// ---------------------------------------------------------------------------------------------
// Export

let resultSeq = 0;
function setResult(state, ...content) {
  els.result.dataset.seq = String(++resultSeq); // lets tests tell one result from the next
  els.result.dataset.state = state;
  els.resultBody.replaceChildren(...content);
}

function dl(rows) {
  return h('dl', { class: 'kv' }, rows.filter(Boolean).flatMap(([k, v, testid]) => [
    h('dt', { text: k }),
    h('dd', { 'data-testid': testid }, v),
  ]));
}

function showSuccess(res) {
  const paths = Array.isArray(res?.CosPaths) ? res.CosPaths : [];
  setResult('success',
    h('p', { class: 'notice notice-success', 'data-testid': 'result-notice' },
      h('strong', { text: 'Export task created.' }), ' The images are being written to COS.'),
    dl([
      ['TaskId', h('span', { class: 'mono big', text: String(res?.TaskId ?? '') }), 'result-task-id'],
      ['CosPaths', h('ul', { class: 'paths' }, paths.map((p) => h('li', { class: 'mono', 'data-testid': 'result-cos-path', text: p }))), 'result-cos-paths'],
      ['RequestId', h('span', { class: 'mono', text: String(res?.RequestId ?? '') }), 'result-request-id'],
    ]));
}

function errorRows(err) {
  return [
    ['Code', codeNode(errCode(err)), 'result-code'],
    ['Message', errMessage(err), 'result-message'],
    err?.requestId ? ['RequestId', h('span', { class: 'mono', text: err.requestId }), 'result-request-id'] : null,
    err?.httpCode != null ? ['HTTP status', String(err.httpCode), 'result-http-code'] : null,
    err?.field ? ['Field', h('span', { class: 'mono', text: err.field }), 'result-field'] : null,
    // Not in the typings, but set on transport failures of non-idempotent calls.
    err?.mayHaveExecuted === true
      ? ['Executed?', 'Possibly — the request may have reached the API. Check the export tasks before retrying.', 'result-may-have-executed']
      : null,
  ];
}

function showDryRun(err) {
  setResult('dry-run',
    h('p', { class: 'notice notice-success', 'data-testid': 'result-notice' },
      h('strong', { text: 'Dry run passed: the export would succeed.' }), ' No task was created.'),
    dl(errorRows(err)));
}

function showFailure(err) {
  setResult('error',
    h('p', { class: 'notice notice-error', 'data-testid': 'result-notice' },
      h('strong', { text: 'ExportImages failed.' }), ' ', describeFailure(err)),
    dl(errorRows(err)));
}

function describeFailure(err) {
  const code = errCode(err);
  if (code.startsWith('Client.')) return 'The request did not complete (client side).';
  if (code.startsWith('AuthFailure')) return 'The credentials or signature were refused.';
  if (err?.requestId) return 'The API refused the request.';
  return 'The request was refused before it was sent.';
}

async function doExport(ev) {
  ev?.preventDefault();
  if (busy) return;
  const valid = validate();
  if (!valid) {
    // Nothing is sent while the form is invalid.
    setResult('invalid', h('p', { class: 'notice notice-warn', 'data-testid': 'result-notice' },
      h('strong', { text: 'Not sent. ' }), els.validity.textContent));
    return;
  }
  busy = true;
  els.exportButton.disabled = true;
  els.exportButton.classList.add('is-busy');
  els.exportButton.textContent = 'Exporting…';
  setResult('pending', h('p', { class: 'muted', text: `Calling ExportImages for ${valid.params.ImageIds.join(', ')}…` }));
  try {
    const res = await valid.client.ExportImages(valid.params);
    showSuccess(res);
    logActivity('ok', 'ExportImages', `TaskId ${res?.TaskId}`, res?.RequestId);
    startWaiting(valid.client, res, valid.params.BucketName);
  } catch (err) {
    if (errCode(err) === 'DryRunOperation') {
      showDryRun(err);
      logActivity('ok', 'ExportImages (dry run)', 'DryRunOperation', err?.requestId);
    } else {
      showFailure(err);
      logActivity('error', 'ExportImages', errCode(err), err?.requestId);
    }
  } finally {
    busy = false;
    els.exportButton.classList.remove('is-busy');
    els.exportButton.textContent = 'Export';
    validate();
  }
}

// ---------------------------------------------------------------------------------------------
// Files: the export's life in COS (waitForExport)
//
// Each file of CosPaths appears in the bucket when it is complete. The library polls them
// (signed HEADs, backoff), reports each change through onProgress and resolves with presigned
// links. Cancel aborts the wait: no request is sent after it. Links are kept in this closure,
// never in the DOM (with temporary credentials they carry the session token); the Download
// button builds a detached <a download> when clicked.

let wait = null; // the current wait: { controller, started, ticker, urls: Map key → url }

function formatBytes(n) {
  if (typeof n !== 'number') return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

function formatElapsed(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function download(key) {
  const url = wait?.urls.get(key);
  if (!url) return;
  const a = document.createElement('a'); // detached: the link never enters the document
  a.href = url;
  a.download = key.split('/').pop() || 'export';
  a.rel = 'noopener';
  a.click();
}

function renderFiles(state, progress) {
  for (const f of progress.files) if (f.url) state.urls.set(f.key, f.url);
  els.filesProgress.max = progress.total || 1;
  els.filesProgress.value = progress.ready;
  els.filesCount.textContent = `${progress.ready} of ${progress.total} ready`;
  els.files.dataset.ready = String(progress.ready);
  els.files.dataset.total = String(progress.total);
  els.filesList.replaceChildren(...progress.files.map((f) => {
    const ready = f.state === 'ready';
    const button = ready && state.urls.has(f.key)
      ? h('button', { type: 'button', class: 'btn btn-small btn-secondary', 'data-testid': 'file-download', 'data-key': f.key, text: 'Download' })
      : null;
    button?.addEventListener('click', () => download(f.key));
    return h('li', { class: 'file-row', 'data-testid': 'file-row', 'data-key': f.key, 'data-state': f.state },
      h('span', {},
        h('span', { class: 'file-key', text: f.key }),
        ready && f.size != null ? h('span', { class: 'file-size', 'data-testid': 'file-size', text: ` · ${formatBytes(f.size)}` }) : null),
      h('span', { class: 'file-state', 'data-testid': 'file-state', text: ready ? 'ready' : 'pending' }),
      button);
  }));
}

function setFilesState(state, text, err) {
  els.files.dataset.state = state;
  els.filesStatus.replaceChildren(...(err ? [codeNode(errCode(err), { 'data-testid': 'files-error-code' }), ' ', text] : [text]));
}

function stopWaiting() {
  if (!wait) return;
  clearInterval(wait.ticker);
  wait.controller.abort();
  wait = null;
}

function startWaiting(client, res, bucket) {
  stopWaiting();
  const paths = Array.isArray(res?.CosPaths) ? res.CosPaths : [];
  if (paths.length === 0) return;
  const state = { controller: new AbortController(), started: performance.now(), urls: new Map(), ticker: 0 };
  wait = state;
  const tick = () => { els.filesElapsed.textContent = formatElapsed(performance.now() - state.started); };
  state.ticker = setInterval(tick, 1000);
  tick();
  els.files.hidden = false;
  els.filesCancel.disabled = false;
  setFilesState('waiting', `Waiting for ${paths.length} file${paths.length === 1 ? '' : 's'} of task ${res.TaskId} in ${bucket}…`);
  renderFiles(state, { ready: 0, total: paths.length, files: paths.map((key) => ({ key, state: 'pending' })) });
  const current = () => wait === state;
  client.waitForExport({ ...res, BucketName: bucket }, {
    ...WAIT_OPTIONS,
    signal: state.controller.signal,
    onProgress: (p) => { if (current()) renderFiles(state, p); },
  }).then((files) => {
    if (!current()) return;
    renderFiles(state, { ready: files.length, total: files.length, files: files.map((f) => ({ ...f, state: 'ready' })) });
    setFilesState('done', `All ${files.length} file${files.length === 1 ? ' is' : 's are'} in the bucket.`);
    logActivity('ok', 'waitForExport', `${files.length} files ready`);
  }, (err) => {
    if (!current()) return;
    const code = errCode(err);
    if (code === 'Client.Aborted') setFilesState('cancelled', 'Cancelled: no more polling.');
    else setFilesState(code === 'Client.WaitTimeout' ? 'timeout' : 'error', errMessage(err), err);
    logActivity(code === 'Client.Aborted' ? 'ok' : 'error', 'waitForExport', code, err?.requestId);
  }).finally(() => {
    if (!current()) return;
    clearInterval(state.ticker);
    tick();
    els.filesCancel.disabled = true;
  });
}

// ---------------------------------------------------------------------------------------------
// Activity log (codes and ids only; never parameters or credentials)

function logActivity(kind, action, summary, requestId) {
  const time = new Date().toLocaleTimeString([], { hour12: false });
  els.activity.prepend(h('li', { class: `act act-${kind}`, 'data-testid': 'activity-item' },
    h('span', { class: 'act-time', text: time }),
    h('span', { class: 'act-action', text: action }),
    h('span', { class: 'act-summary' }, /^[A-Z][\w.]*\.[\w.]+$/.test(summary) ? String(summary).split('.').flatMap((p, i, a) => (i < a.length - 1 ? [`${p}.`, h('wbr')] : [p])) : summary),
    requestId ? h('span', { class: 'act-rid mono', title: 'RequestId', text: requestId }) : null));
  while (els.activity.children.length > MAX_ACTIVITY) els.activity.lastElementChild.remove();
}

// ---------------------------------------------------------------------------------------------
// Start-up

function setAppStatus(state, text) {
  els.appStatus.dataset.state = state;
  els.appStatus.querySelector('.app-status-text').textContent = text;
}

function prefill() {
  els.secretId.value = TEST_ACCOUNT.secretId;
  els.secretKey.value = TEST_ACCOUNT.secretKey;
  els.endpoint.value = location.origin && location.origin !== 'null' ? location.origin : 'http://127.0.0.1:8787';
  els.cosEndpoint.value = `${els.endpoint.value}/cos/{Bucket}`; // the emulator's COS (emulator/README.md)
  els.bucket.value = DEFAULT_BUCKET;
}

function wire() {
  for (const input of [els.secretId, els.secretKey, els.token, els.endpoint, els.signHost, els.cosEndpoint]) {
    input.addEventListener('input', () => { connectionDirty = true; validate(); });
  }
  els.region.addEventListener('change', () => { connectionDirty = true; validate(); loadImages(); });
  els.imageIds.addEventListener('input', onSelectionChange);
  for (const input of [els.bucket, els.role]) input.addEventListener('input', () => validate());
  for (const input of [els.format, els.onlyRoot, els.dryRun]) input.addEventListener('change', () => validate());
  els.loadImages.addEventListener('click', () => loadImages());
  els.filesCancel.addEventListener('click', () => { wait?.controller.abort(); els.filesCancel.disabled = true; });
  els.form.addEventListener('submit', doExport);
  els.explainButton.addEventListener('click', toggleExplain);
  els.explainRefresh.addEventListener('click', () => validate());
  els.copyCurl.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(el('explain-curl').textContent);
      els.copyCurl.textContent = 'Copied';
    } catch {
      els.copyCurl.textContent = 'Copy failed';
    }
    setTimeout(() => { els.copyCurl.textContent = 'Copy'; }, 1500);
  });
}

async function main() {
  prefill();
  wire();
  onSelectionChange();
  try {
    lib = await import('/pkg/browser.js');
  } catch (err) {
    setAppStatus('error', 'Could not load /pkg/browser.js — build the package (scripts/build.sh) and serve it with the emulator.');
    els.validity.textContent = 'The tc3-edge package is not available.';
    console.error('tc3-edge demo: loading the package failed:', err?.message ?? err);
    return;
  }
  setAppStatus('ready', 'WebAssembly ready');
  connectionDirty = true;
  validate();
  await loadImages();
}

main();
