// The export form: its parameters, their validation by the library (the checks ExportImages runs
// before sending) and the messages, in plain words, next to the field they are about.
// Calm first load: a field's error shows only once the user has touched it or tried to send;
// until then the Send card says in words what is missing.
import { codeNode, el, h, plural } from './dom.js';
import { connectionTargetOf, currentClient, lastClientError, libLoaded } from './connection.js';
import { imageById, imagesArea, isChecked, listedImages, unexportableReason } from './images.js';
import { connectionWords, validationWords } from './messages.js';

const els = {
  imageIds: el('image-ids'), selected: el('selected-images'), bucket: el('bucket-name'), format: el('export-format'),
  role: el('role-name'), onlyRoot: el('only-root-disk'), dryRun: el('dry-run'), prefixList: el('prefix-list'),
  validity: el('validity'), preview: el('request-preview'), exportButton: el('export-button'),
};
const BOXES = ['credentials', 'connection', 'images', 'bucket', 'format', 'role', 'options', 'prefixes', 'form'];
const errorBox = Object.fromEntries(BOXES.map((k) => [k, el(`${k}-error`)]));

const prefixes = new Map(); // ImageId → prefix typed for it
let prefixOrder = '';       // ImageIds the prefix inputs were rendered for
const touched = new Set();  // boxes whose fields the user has changed
let attempted = false;      // Export was pressed: every problem shows
let busy = false;           // an export is being sent
let onValidated = () => {};

export const setOnValidated = (fn) => { onValidated = fn; };
export const touch = (box) => { touched.add(box); };
export const setBusy = (b) => { busy = b; };
export const isBusy = () => busy;

/** Selected images in request order: ticked rows (table order), then typed IDs; each once. */
export function selectedImages() {
  const list = [];
  const seen = new Set();
  for (const img of listedImages()) {
    if (isChecked(img.ImageId) && !seen.has(img.ImageId)) { seen.add(img.ImageId); list.push({ id: img.ImageId, source: 'table' }); }
  }
  for (const id of els.imageIds.value.split(/[\s,;]+/).filter(Boolean)) {
    if (!seen.has(id)) { seen.add(id); list.push({ id, source: 'typed' }); }
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

function clearErrors() {
  for (const box of Object.values(errorBox)) {
    box.hidden = true;
    box.replaceChildren();
    delete box.dataset.code;
    delete box.dataset.field;
  }
  for (const node of document.querySelectorAll('[aria-invalid="true"]')) node.removeAttribute('aria-invalid');
  for (const row of document.querySelectorAll('tr.invalid')) row.classList.remove('invalid');
}

/** Where a validation error belongs: `err.field` (e.g. `ImageIds.1`) → error box + control. */
function targetOf(field, sel) {
  const [name, index] = String(field ?? '').split('.');
  const item = index === undefined ? undefined : sel[Number(index)];
  switch (name) {
    case 'BucketName': return { box: 'bucket', control: els.bucket };
    case 'ImageIds':
    case 'SnapshotIds': {
      if (item?.source === 'table') {
        const row = document.querySelector(`tr[data-image-id="${CSS.escape(item.id)}"]`);
        return { box: 'images', control: row?.querySelector('input'), row, subject: item.id };
      }
      if (item) return { box: 'images', control: els.imageIds, subject: item.id };
      return { box: 'images', control: imagesArea() };
    }
    case 'FileNamePrefixList': {
      const inputs = els.prefixList.querySelectorAll('input');
      return { box: 'prefixes', control: item ? inputs[Number(index)] : inputs[0], subject: item?.id };
    }
    case 'ExportFormat': return { box: 'format', control: els.format };
    case 'RoleName': return { box: 'role', control: els.role };
    case 'OnlyExportRootDisk': return { box: 'options', control: els.onlyRoot };
    case 'DryRun': return { box: 'options', control: els.dryRun };
    default: return { box: 'form' };
  }
}

/** Shows `words` (and the code, small, after them) in the target's box, if the user should see it. */
function showError(target, words, err) {
  if (!attempted && !touched.has(target.box)) return;
  const box = errorBox[target.box] ?? errorBox.form;
  if (err?.code) box.dataset.code = err.code;
  if (err?.field) box.dataset.field = err.field;
  box.replaceChildren(
    h('span', { class: 'err-message', 'data-testid': 'error-message', text: words }),
    err?.code ? h('span', { class: 'err-detail' }, codeNode(err.code, { 'data-testid': 'error-code' })) : null);
  box.hidden = false;
  if (target.control) target.control.setAttribute('aria-invalid', 'true');
  if (target.row) target.row.classList.add('invalid');
}

/** A typed image the table says cannot be exported: refused here, before the API refuses it. */
function blockedTyped(sel) {
  for (const [i, s] of sel.entries()) {
    const img = s.source === 'typed' ? imageById(s.id) : undefined;
    const reason = img && unexportableReason(img);
    if (reason) return { words: `Image ${i + 1} (${s.id}) cannot be exported: ${reason}`, field: `ImageIds.${i}` };
  }
  return null;
}

/**
 * Validates the form. Renders the messages the user should see; returns { client, params, sel }
 * when it can be sent, else null. `opts.attempt`: the user pressed Export (show everything).
 */
export function validate(opts = {}) {
  if (opts.attempt) attempted = true;
  clearErrors();
  const { params, sel } = buildParams();
  const c = currentClient();
  let result = null;
  let problem = null;
  if (!libLoaded()) {
    problem = 'Loading the signing library…';
  } else if (!c) {
    const err = lastClientError();
    problem = connectionWords(err);
    showError(connectionTargetOf(err), problem, err);
  } else {
    const blocked = blockedTyped(sel);
    try {
      c.validateExportImages(params);
      if (blocked) {
        problem = blocked.words;
        showError(targetOf(blocked.field, sel), problem, { field: blocked.field });
      } else {
        result = { client: c, params, sel };
      }
    } catch (err) {
      const target = targetOf(err?.field, sel);
      problem = validationWords(err, target.subject);
      showError(target, problem, err);
    }
  }
  els.exportButton.disabled = !result || busy;
  els.validity.dataset.valid = String(!!result);
  els.validity.dataset.shown = String(!result && attempted);
  els.validity.textContent = result
    ? `Ready: ${plural(params.ImageIds.length, 'image')} → ${params.BucketName}${params.DryRun ? ' (dry run)' : ''}`
    : problem;
  els.preview.textContent = JSON.stringify(params, null, 2);
  onValidated(result);
  return result;
}

function renderPrefixes(sel) {
  if (sel.length === 0) {
    els.prefixList.replaceChildren(h('p', { class: 'muted', text: 'Select images to set their prefixes.' }));
    return;
  }
  els.prefixList.replaceChildren(...sel.map((s, i) => {
    const input = h('input', {
      id: `prefix-${i}`, type: 'text', spellcheck: false, value: prefixes.get(s.id) ?? '', placeholder: 'no prefix',
      'data-testid': 'prefix-input', 'data-image-id': s.id, 'aria-describedby': 'prefixes-error',
    });
    input.addEventListener('input', () => { prefixes.set(s.id, input.value); touch('prefixes'); validate(); });
    return h('div', { class: 'prefix-row' }, h('label', { for: input.id, class: 'mono', text: `${i + 1}. ${s.id}` }), input);
  }));
}

/** The selection changed (a row ticked, IDs typed, images reloaded). */
export function onSelectionChange() {
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

const DEFAULT_BUCKET = 'backup-1250000000'; // a writable bucket of the emulator's test account

export function wireForm() {
  els.bucket.value = DEFAULT_BUCKET;
  els.imageIds.addEventListener('input', () => { touch('images'); onSelectionChange(); });
  els.bucket.addEventListener('input', () => { touch('bucket'); validate(); });
  els.role.addEventListener('input', () => { touch('role'); validate(); });
  els.format.addEventListener('change', () => { touch('format'); validate(); });
  for (const input of [els.onlyRoot, els.dryRun]) input.addEventListener('change', () => { touch('options'); validate(); });
}
