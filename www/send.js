// Sending an export: from this browser (ExportImages signed here) or through the edge Worker
// (POST /export-images), after asking first when the same images are already exporting to the
// same bucket (ExportImages is not idempotent: a second call is a second task). The Result card
// leads with what happened in words; codes and ids follow as details.
import { codeNode, el, errCode, errMessage, h, plural } from './dom.js';
import { logActivity } from './activity.js';
import { mode } from './connection.js';
import { addExport, findDuplicate } from './exports.js';
import { isBusy, setBusy, validate } from './form.js';
import { apiWords } from './messages.js';
import { workerExport } from './worker.js';

const els = {
  form: el('export-form'), button: el('export-button'), result: el('result'), body: el('result-body'),
  validity: el('validity'), prompt: el('duplicate-prompt'), promptText: el('duplicate-text'),
  promptGo: el('duplicate-go'), promptStop: el('duplicate-stop'),
};

let resultSeq = 0;
function setResult(state, ...content) {
  els.result.dataset.seq = String(++resultSeq); // lets tests tell one result from the next
  els.result.dataset.state = state;
  els.body.replaceChildren(...content);
}

const dl = (rows) => h('dl', { class: 'kv' }, rows.filter(Boolean).flatMap(([k, v, testid]) => [h('dt', { text: k }), h('dd', { 'data-testid': testid }, v)]));
const notice = (kind, strong, rest) => h('p', { class: `notice notice-${kind}`, 'data-testid': 'result-notice' }, h('strong', { text: strong }), rest ? ` ${rest}` : '');

function detailRows(err) {
  const http = err?.httpCode;
  return [
    ['Code', codeNode(errCode(err)), 'result-code'],
    ['Message', errMessage(err), 'result-message'],
    err?.requestId ? ['RequestId', h('span', { class: 'mono', text: err.requestId }), 'result-request-id'] : null,
    // An API error comes in a 200 answer: the status says nothing then, so it is shown only when it does.
    http != null && http !== 200 ? ['HTTP status', String(http), 'result-http-code'] : null,
    err?.mayHaveExecuted === true
      ? ['Executed?', 'Possibly: the request may have reached the API. Check the exports before trying again.', 'result-may-have-executed']
      : null,
  ];
}

function showCreated(res, via) {
  const paths = Array.isArray(res?.CosPaths) ? res.CosPaths : [];
  setResult('success',
    notice('success', 'Export started.', `${plural(paths.length, 'file')} will be written to the bucket; follow them under Exports${via === 'worker' ? ' (watched by the edge Worker)' : ''}.`),
    dl([
      ['TaskId', h('span', { class: 'mono big', text: String(res?.TaskId ?? '') }), 'result-task-id'],
      ['Files', h('ul', { class: 'paths' }, paths.map((p) => h('li', { class: 'mono', 'data-testid': 'result-cos-path', text: p }))), 'result-cos-paths'],
      res?.RequestId ? ['RequestId', h('span', { class: 'mono', text: String(res.RequestId) }), 'result-request-id'] : null,
    ]));
}

/** Asks before a duplicate export; resolves true to go ahead. */
function confirmDuplicate(dup) {
  const started = new Date(dup.startedAt).toLocaleTimeString([], { hour12: false });
  els.promptText.textContent = dup.state === 'exporting'
    ? `Task ${dup.TaskId} is already exporting these images to ${dup.BucketName} (started ${started}). Export them again as a second task?`
    : `Task ${dup.TaskId} exported these images to ${dup.BucketName} less than an hour ago (started ${started}). Export them again as a second task?`;
  els.prompt.hidden = false;
  els.prompt.scrollIntoView({ block: 'nearest' });
  els.promptGo.focus();
  return new Promise((resolve) => {
    const done = (go) => {
      els.prompt.hidden = true;
      els.promptGo.removeEventListener('click', yes);
      els.promptStop.removeEventListener('click', no);
      els.form.removeEventListener('input', no);
      els.form.removeEventListener('change', no);
      resolve(go);
    };
    const yes = () => done(true);
    const no = () => done(false);
    els.promptGo.addEventListener('click', yes);
    els.promptStop.addEventListener('click', no);
    // The question was about these parameters: a change to the form withdraws it.
    els.form.addEventListener('input', no);
    els.form.addEventListener('change', no);
  });
}

async function onSubmit(ev) {
  ev?.preventDefault();
  if (isBusy() || !els.prompt.hidden) return;
  const valid = validate({ attempt: true });
  if (!valid) {
    setResult('invalid', notice('warn', 'Not sent.', els.validity.textContent));
    return;
  }
  const via = mode();
  const { params } = valid;
  if (!params.DryRun) {
    const dup = findDuplicate(params, via);
    if (dup && !(await confirmDuplicate(dup))) {
      setResult('idle', h('p', { class: 'muted', 'data-testid': 'result-notice', text: `Not sent: task ${dup.TaskId} already covers these images.` }));
      return;
    }
  }
  setBusy(true);
  els.button.disabled = true;
  els.button.classList.add('is-busy');
  els.button.textContent = 'Exporting…';
  setResult('pending', h('p', { class: 'muted', text: `Starting the export of ${params.ImageIds.join(', ')}…` }));
  const action = via === 'worker' ? 'POST /export-images' : 'ExportImages';
  const startedAt = Date.now(); // before the call: the export's files cannot be older than this
  try {
    const res = via === 'worker' ? await workerExport(params) : await valid.client.ExportImages(params);
    // The Worker answers a DryRun that would succeed with { DryRun: true } (the library throws DryRunOperation).
    if (res?.DryRun === true) throw Object.assign(new Error(res.message ?? 'dry run'), { code: 'DryRunOperation', requestId: res.RequestId });
    showCreated(res, via);
    logActivity('ok', action, `TaskId ${res?.TaskId}`, res?.RequestId);
    addExport({ TaskId: res.TaskId, BucketName: params.BucketName, CosPaths: res.CosPaths ?? [], startedAt, imageIds: params.ImageIds, prefixes: params.FileNamePrefixList }, via);
  } catch (err) {
    if (errCode(err) === 'DryRunOperation') {
      setResult('dry-run', notice('success', 'Dry run passed: the export would succeed.', 'No task was created.'), dl(detailRows(err)));
      logActivity('ok', `${action} (dry run)`, 'DryRunOperation', err?.requestId);
    } else {
      setResult('error', notice('error', 'The export did not start.', apiWords(err)), dl(detailRows(err)));
      logActivity('error', action, errCode(err), err?.requestId);
    }
    els.result.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  } finally {
    setBusy(false);
    els.button.classList.remove('is-busy');
    els.button.textContent = 'Export';
    validate();
  }
}

export function wireSend() {
  els.form.addEventListener('submit', onSubmit);
}
