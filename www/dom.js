// Small DOM helpers shared by the page's modules. Everything that comes from the network is
// set with textContent (never innerHTML), so an answer can never inject markup.

export const el = (id) => document.getElementById(id);

/** `h('p', { class, text, 'data-testid' }, ...children)`: an element, attributes, children. */
export function h(tag, attrs = {}, ...children) {
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

// The inputs that may hold a secret; registered by connection.js so that redact() can scrub them.
const secretSources = [];
export function registerSecretInput(input) { secretSources.push(input); }

/** Replaces any secret that might have slipped into a string with `***`. */
export function redact(text) {
  let out = String(text ?? '');
  for (const input of secretSources) {
    const secret = input.value.trim();
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** An error code, small and secondary, that wraps only after its dots (`UnsupportedOperation.<wbr>…`). */
export function codeNode(code, attrs = {}) {
  const parts = String(code).split('.');
  return h('code', { class: 'err-code', ...attrs },
    parts.flatMap((part, i) => (i < parts.length - 1 ? [`${part}.`, h('wbr')] : [part])));
}

export const errCode = (err) => (err && typeof err.code === 'string' ? err.code : 'Client.Unexpected');
export const errMessage = (err) => redact(err && err.message ? err.message : String(err));

/** "1 file", "2 files". */
export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function formatBytes(n) {
  if (typeof n !== 'number') return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function formatElapsed(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
