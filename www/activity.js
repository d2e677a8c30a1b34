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

// The client's own events (its `onEvent` option): what a call did between "sent" and "answered",
// in words first — a retry and why, a wait for a rate-limit slot, a clock correction, fresh
// temporary keys. One line each; the first attempt and plain answers are already said by the
// call's own line, and file polls by the export's progress.
const RETRY_WORDS = {
  RequestLimitExceeded: 'the API said "too many requests"',
  'Client.NetworkError': 'the connection failed',
  'Client.Timeout': 'no answer in time',
  'AuthFailure.SignatureExpire': 'this computer\'s clock is off',
  InternalError: 'the API had an internal error',
};

export function onClientEvent(e) {
  const action = e.action || (e.type === 'skew' ? 'Clock' : e.type === 'credentials' ? 'Credentials' : 'COS');
  if (e.type === 'retry') {
    const why = RETRY_WORDS[e.reason] ?? 'it failed';
    const when = e.delayMs > 0 ? ` in ${(e.delayMs / 1000).toFixed(e.delayMs < 1000 ? 2 : 1)} s` : ' now';
    logActivity('retry', action, `Retrying (attempt ${e.attempt}) because ${why}${when} · ${e.reason}`);
  } else if (e.type === 'throttle' && e.waitMs >= 1) {
    logActivity('retry', action, `Waiting ${Math.round(e.waitMs)} ms for a ${e.limiter === 'shared' ? 'shared' : 'local'} rate-limit slot`);
  } else if (e.type === 'skew') {
    logActivity('retry', action, `Corrected by ${e.offsetSecs} s to the server's time`);
  } else if (e.type === 'credentials') {
    logActivity('ok', action, 'Fresh temporary keys from the provider');
  } else if (e.type === 'request' && e.attempt > 1) {
    logActivity('retry', action, `Attempt ${e.attempt} sent to ${e.host}`);
  }
}
