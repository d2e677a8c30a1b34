// tc3-edge demo console: plain ES modules, no framework, no build step. Each module has one job:
//   dom.js         small DOM helpers, redact(), formatting
//   connection.js  the mode (keys in the page / keys at the edge) and the CvmClient
//   images.js      the images table (DescribeImages), unexportable images marked
//   form.js        parameters, validation, messages next to their field (messages.js: the words)
//   send.js        Export: duplicate prompt, ExportImages or the Worker's POST /export-images
//   exports.js     the Exports list (store.js: localStorage; waits.js: the waits; worker.js: the Worker's API)
//   explain.js     how the request is signed
//   activity.js    the activity log
// This file only starts them and connects their events.
import { el } from './dom.js';
import { applyMode, currentClient, els as conn, loadDemoConfig, markDirty, mode, prefill, setLib } from './connection.js';
import { loadImages, setOnChange, updateScrollHint, wireImages } from './images.js';
import { onSelectionChange, setOnValidated, touch, validate, wireForm } from './form.js';
import { wireSend } from './send.js';
import { initExports, showExports } from './exports.js';
import { renderExplain, wireExplain } from './explain.js';

const appStatus = document.querySelector('[data-testid="app-status"]');

function setAppStatus(state, text) {
  appStatus.dataset.state = state;
  appStatus.querySelector('.app-status-text').textContent = text;
}

const reloadImages = () => loadImages(currentClient(), conn.region.value);

function wire() {
  for (const input of [conn.secretId, conn.secretKey, conn.token, conn.endpoint, conn.signHost, conn.cosEndpoint]) {
    input.addEventListener('input', () => { markDirty(); touch('credentials'); touch('connection'); validate(); });
  }
  conn.region.addEventListener('change', () => { markDirty(); validate(); reloadImages(); });
  for (const radio of [conn.modeBrowser, conn.modeWorker]) {
    radio.addEventListener('change', () => { applyMode(); showExports(mode()); });
  }
  conn.workerUrl.addEventListener('change', () => { if (mode() === 'worker') showExports('worker'); });
  setOnChange((byUser) => { if (byUser) touch('images'); onSelectionChange(); });
  setOnValidated(renderExplain);
  wireImages(reloadImages);
  wireForm();
  wireSend();
  wireExplain(validate);
}

async function main() {
  prefill();
  wire();
  onSelectionChange();
  updateScrollHint();
  let lib;
  try {
    lib = await import('/pkg/browser.js');
  } catch (err) {
    setAppStatus('error', 'Could not load /pkg/browser.js — build the package (scripts/build.sh) and serve it with the emulator.');
    el('validity').textContent = 'The tc3-edge package is not available.';
    console.error('tc3-edge demo: loading the package failed:', err?.message ?? err);
    return;
  }
  setLib(lib);
  setAppStatus('ready', 'WebAssembly ready');
  initExports(currentClient);
  validate();
  await loadDemoConfig();
  await Promise.all([reloadImages(), showExports(mode())]);
}

main();
