// The connection: which way an export is sent (from this browser with the keys in the page, or
// through the edge Worker with the keys at the edge), and the CvmClient built from the fields.
//
// Secrets (SecretKey, session token, the Access token) live only in their password inputs'
// `value` properties: read when a client or a Worker request is made, never stored, logged or
// put in the DOM. The emulator's test keys are prefilled through `value`, so never in the HTML.
import { el, registerSecretInput } from './dom.js';
import { onClientEvent } from './activity.js';

// The emulator's permanent test account (emulator/account.js); it does not work against the real API.
const TEST_ACCOUNT = {
  secretId: 'AKIDtc3edgeEmulator0000000000000000001',
  secretKey: 'tc3edgeEmulatorSecretKey00000000001',
};

export const els = {
  modeBrowser: el('mode-browser'),
  modeWorker: el('mode-worker'),
  browserFields: el('browser-fields'),
  workerFields: el('worker-fields'),
  secretId: el('secret-id'),
  secretKey: el('secret-key'),
  token: el('token'),
  region: el('region'),
  endpoint: el('endpoint'),
  signHost: el('sign-host'),
  cosEndpoint: el('cos-endpoint'),
  workerUrl: el('worker-url'),
  accessToken: el('access-token'),
  workerNote: el('worker-note'),
};
registerSecretInput(els.secretKey);
registerSecretInput(els.token);
registerSecretInput(els.accessToken);

let lib = null;             // { CvmClient, TencentCloudError } once the wasm is ready
let client = null;          // the CvmClient for the current connection fields
let clientError = null;     // why it could not be built
let dirty = true;           // a connection field changed since `client` was built

export const setLib = (l) => { lib = l; dirty = true; };
export const libLoaded = () => lib !== null;
export const markDirty = () => { dirty = true; };
export const lastClientError = () => clientError;

/** "browser" (keys in the page) or "worker" (keys at the edge). */
export const mode = () => (els.modeWorker.checked ? 'worker' : 'browser');

export function applyMode() {
  const worker = mode() === 'worker';
  els.workerFields.hidden = !worker;
  document.body.dataset.mode = mode();
  // The choice is kept in the URL (a reload keeps it), not in storage: storage holds only exports.
  const url = new URL(location.href);
  if (worker) url.searchParams.set('mode', 'worker'); else url.searchParams.delete('mode');
  if (url.href !== location.href) history.replaceState(null, '', url);
}

/** Builds the client when a connection field changed; returns it, or null (see lastClientError). */
export function currentClient() {
  if (!lib) return null;
  if (!dirty) return client;
  dirty = false;
  const endpoint = els.endpoint.value.trim();
  const host = els.signHost.value.trim();
  const cosEndpoint = els.cosEndpoint.value.trim();
  const token = els.token.value.trim();
  const httpProfile = { reqTimeout: 30 };
  if (endpoint) httpProfile.endpoint = endpoint;
  if (host) httpProfile.host = host;
  try {
    client = new lib.CvmClient({
      credential: { secretId: els.secretId.value.trim(), secretKey: els.secretKey.value.trim(), ...(token ? { token } : {}) },
      region: els.region.value,
      profile: { httpProfile, ...(cosEndpoint ? { cosEndpoint } : {}) },
      // Retries, rate-limit waits and clock corrections, shown in the activity log as they happen.
      onEvent: onClientEvent,
    });
    clientError = null;
  } catch (err) {
    client = null; // the old client's wasm memory is released by the library's FinalizationRegistry
    clientError = err;
  }
  return client;
}

/** Where a client-option error belongs (they carry no `field`; the message names the option). */
export function connectionTargetOf(err) {
  const m = String(err?.message ?? '');
  if (err?.code === 'Client.InvalidCredential') {
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

/** The Worker's base URL and the Access token (read at each request, never kept). */
export const workerSettings = () => ({ url: els.workerUrl.value.trim().replace(/\/+$/, ''), token: els.accessToken.value.trim() });

export function prefill() {
  els.secretId.value = TEST_ACCOUNT.secretId;
  els.secretKey.value = TEST_ACCOUNT.secretKey;
  const origin = location.origin && location.origin !== 'null' ? location.origin : 'http://127.0.0.1:8787';
  els.endpoint.value = origin;
  els.cosEndpoint.value = `${origin}/cos/{Bucket}`; // the emulator's COS (emulator/README.md)
  const params = new URLSearchParams(location.search);
  if (params.get('mode') === 'worker') els.modeWorker.checked = true; else els.modeBrowser.checked = true;
  applyMode();
}

/**
 * Where the local Worker runs and how to sign in to it: the emulator's GET /__demo/config
 * (`make demo` starts the example Worker beside it and its Access stand-in issues a token for
 * the test user). Behind real Cloudflare Access the browser carries the token itself.
 */
export async function loadDemoConfig() {
  let config = null;
  try {
    const res = await fetch('/__demo/config', { cache: 'no-store' });
    if (res.ok) config = await res.json();
  } catch { /* not served by the emulator */ }
  if (config?.workerUrl) els.workerUrl.value = config.workerUrl;
  if (!config?.workerUrl) {
    els.workerNote.textContent = 'No Worker runs beside this page: `make demo` starts one. Enter its URL and an Access token to use another.';
    return;
  }
  if (!config.accessTokenUrl || els.accessToken.value) return;
  try {
    const res = await fetch(config.accessTokenUrl, { cache: 'no-store' });
    const body = res.ok ? await res.json() : null;
    if (body?.token) {
      els.accessToken.value = body.token; // the input's value property only: never in the HTML
      els.workerNote.textContent = `Signed in as ${body.email ?? 'the test user'} by the local Access stand-in.`;
    }
  } catch { /* no token: the Worker will answer 401, shown in words */ }
}
