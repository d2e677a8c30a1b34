// The images table (DescribeImages): what can be exported, what cannot and why, and which rows
// are ticked. An image ExportImages would refuse is marked with the reason, cannot be ticked and
// is out of the tab order, so the user learns it here rather than from an API error.
import { codeNode, el, errCode, errMessage, h, plural } from './dom.js';
import { logActivity } from './activity.js';

const DESCRIBE_LIMIT = 100;
const MAX_DISK_GB = 500; // ExportImages refuses an image with a disk over 500 GB
const TYPE_LABELS = { PRIVATE_IMAGE: 'Private', PUBLIC_IMAGE: 'Public', SHARED_IMAGE: 'Shared', MARKET_IMAGE: 'Marketplace' };

const els = {
  load: el('load-images'),
  status: el('images-status'),
  area: el('images-area'),
  body: el('images-body'),
  hint: el('table-scroll-hint'),
};

let images = [];            // DescribeImages ImageSet
const checked = new Set();  // ImageIds ticked in the table
let seq = 0;                // newest DescribeImages call (older answers are dropped)
let onChange = () => {};

export const setOnChange = (fn) => { onChange = fn; };
export const imagesArea = () => els.area;
export const isChecked = (id) => checked.has(id);
export const listedImages = () => images;

/** Why ExportImages would refuse this image, in the user's words; null if it can be exported. */
export function unexportableReason(img) {
  const type = String(img.ImageType ?? '');
  const os = `${img.Platform ?? ''} ${img.OsName ?? ''}`;
  if (type === 'PUBLIC_IMAGE' || type === 'MARKET_IMAGE') return 'Public and marketplace images cannot be exported.';
  if (type === 'SHARED_IMAGE') return 'Shared images cannot be exported: only the owner can export them.';
  if (img.ImageSource === 'MARKET') return 'Made from a marketplace image, so it cannot be exported.';
  if (/windows/i.test(os)) return 'Windows images cannot be exported.';
  if (/red\s?hat|rhel/i.test(os)) return 'Red Hat (RHEL) images cannot be exported.';
  if (img.ImageState && img.ImageState !== 'NORMAL') {
    return img.ImageState === 'SYNCING'
      ? `Still syncing${img.SyncPercent != null ? ` (${img.SyncPercent} %)` : ''}: it can be exported once it is Normal.`
      : `It is ${String(img.ImageState).toLowerCase()}: it can be exported once it is Normal.`;
  }
  const disks = Array.isArray(img.SnapshotSet) ? img.SnapshotSet.map((s) => s.DiskSize) : [];
  if ([img.ImageSize, ...disks].some((gb) => typeof gb === 'number' && gb > MAX_DISK_GB)) {
    return `A disk is larger than ${MAX_DISK_GB} GB, the most an export can take.`;
  }
  return null;
}

/** The listed image with this id, or undefined. */
export const imageById = (id) => images.find((i) => i.ImageId === id);

function row(img) {
  const id = String(img.ImageId);
  const reason = unexportableReason(img);
  const box = h('input', {
    type: 'checkbox', checked: !reason && checked.has(id), disabled: !!reason, 'data-testid': 'image-checkbox', 'data-image-id': id,
    'aria-label': `Select ${id}${img.ImageName ? ` (${img.ImageName})` : ''}`,
    'aria-describedby': reason ? `reason-${id}` : null,
  });
  if (reason) box.tabIndex = -1;
  const type = String(img.ImageType ?? '');
  const state = String(img.ImageState ?? '');
  const tr = h('tr', {
    'data-testid': 'image-row', 'data-image-id': id, 'data-exportable': String(!reason),
    class: reason ? 'unexportable' : checked.has(id) ? 'selected' : '', 'aria-disabled': reason ? 'true' : null,
  },
  h('td', { class: 'col-check' }, box),
  h('td', { class: 'mono', 'data-testid': 'image-id', text: id }),
  h('td', {},
    h('span', { 'data-testid': 'image-name', text: img.ImageName ?? '' }),
    reason ? h('span', { class: 'image-reason', id: `reason-${id}`, 'data-testid': 'image-reason', text: reason }) : null),
  h('td', {}, h('span', { class: `badge badge-${type.toLowerCase().replace('_image', '')}`, text: TYPE_LABELS[type] ?? type })),
  h('td', { 'data-testid': 'image-os' }, String(img.OsName ?? ''),
    img.Architecture && img.Architecture !== 'x86_64' ? h('span', { class: 'arch', text: img.Architecture }) : null),
  h('td', { class: 'num', 'data-testid': 'image-size', text: img.ImageSize != null ? `${img.ImageSize} GB` : '' }),
  h('td', {}, h('span', { class: `state state-${state.toLowerCase()}`, text: state === 'NORMAL' ? 'Normal' : state === 'SYNCING' ? 'Syncing' : state })));
  if (reason) return tr;
  box.addEventListener('change', () => {
    if (box.checked) checked.add(id); else checked.delete(id);
    tr.classList.toggle('selected', box.checked);
    onChange(true); // the user's own change
  });
  tr.addEventListener('click', (ev) => { // a click anywhere on the row toggles it
    if (ev.target === box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event('change'));
  });
  return tr;
}

function render() {
  els.body.replaceChildren(...(images.length === 0
    ? [h('tr', { class: 'placeholder' }, h('td', { colSpan: 7, text: 'No images in this region.' }))]
    : images.map(row)));
  updateScrollHint();
}

/** Shows "scroll for more columns" while the table is wider than its box (phones). */
export function updateScrollHint() {
  const more = els.area.scrollWidth - els.area.clientWidth - els.area.scrollLeft > 2;
  els.area.dataset.overflow = String(els.area.scrollWidth > els.area.clientWidth + 2);
  els.area.dataset.moreRight = String(more);
  els.hint.hidden = els.area.dataset.overflow !== 'true';
}

function setStatus(state, ...content) {
  els.status.dataset.state = state;
  els.status.replaceChildren(...content);
}

/** DescribeImages with `client` (null: the connection is not usable yet). */
export async function loadImages(client, region) {
  if (!client) {
    setStatus('error', 'Fix the connection settings to list images.');
    return;
  }
  const mine = ++seq;
  els.load.disabled = true;
  setStatus('loading', 'Loading…');
  try {
    const res = await client.request('DescribeImages', { Limit: DESCRIBE_LIMIT });
    if (mine !== seq) return;
    images = Array.isArray(res?.ImageSet) ? res.ImageSet : [];
    const exportable = new Set(images.filter((i) => !unexportableReason(i)).map((i) => i.ImageId));
    for (const id of [...checked]) if (!exportable.has(id)) checked.delete(id);
    render();
    const blocked = images.length - exportable.size;
    setStatus('loaded', `${images.length} of ${res?.TotalCount ?? images.length} images in ${region}` +
      (blocked ? ` · ${plural(blocked, 'image')} cannot be exported` : ''));
    logActivity('ok', 'DescribeImages', plural(images.length, 'image'), res?.RequestId);
  } catch (err) {
    if (mine !== seq) return;
    setStatus('error', 'Could not list the images: ', errMessage(err), ' ', codeNode(errCode(err)));
    logActivity('error', 'DescribeImages', errCode(err), err?.requestId);
  } finally {
    if (mine === seq) {
      els.load.disabled = false;
      onChange(false);
    }
  }
}

export function wireImages(reload) {
  els.load.addEventListener('click', reload);
  els.area.addEventListener('scroll', updateScrollHint, { passive: true });
  window.addEventListener('resize', updateScrollHint);
}
