// The activity log: one line per call the page made — action, outcome (a code or a count) and
// the RequestId. Never parameters or credentials.
import { el, h } from './dom.js';

const MAX_ACTIVITY = 30;
const list = el('activity');

export function logActivity(kind, action, summary, requestId) {
  const time = new Date().toLocaleTimeString([], { hour12: false });
  const isCode = /^[A-Z][\w.]*\.[\w.]+$/.test(summary);
  list.prepend(h('li', { class: `act act-${kind}`, 'data-testid': 'activity-item' },
    h('span', { class: 'act-time', text: time }),
    h('span', { class: 'act-action', text: action }),
    h('span', { class: 'act-summary' }, isCode ? String(summary).split('.').flatMap((p, i, a) => (i < a.length - 1 ? [`${p}.`, h('wbr')] : [p])) : summary),
    requestId ? h('span', { class: 'act-rid mono', title: 'RequestId', text: requestId }) : null));
  while (list.children.length > MAX_ACTIVITY) list.lastElementChild.remove();
}
