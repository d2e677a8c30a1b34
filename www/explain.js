// The Explain view: how the ExportImages request for the current form is signed (canonical
// request, string to sign, signature, headers, body) and an equivalent curl. Secrets are shown
// as `***`: the session token header is replaced, and every string goes through redact().
import { codeNode, el, errCode, errMessage, h, redact } from './dom.js';

const els = {
  button: el('explain-button'), panel: el('explain-panel'), refresh: el('explain-refresh'),
  error: el('explain-error'), content: el('explain-content'), copyCurl: el('copy-curl'),
};
const setText = (id, text) => { el(id).textContent = text; };

// The typings say `headers` is a Map; the library returns a plain object. Accept both.
function headerEntries(headers) {
  if (!headers) return [];
  if (headers instanceof Map || headers instanceof Headers) return [...headers.entries()];
  return Object.entries(headers);
}

/** Headers as shown and as put in curl: X-TC-Token (and any secret) replaced by `***`. */
const shownHeaders = (headers) => headerEntries(headers).map(([name, value]) => [name, /^x-tc-token$/i.test(name) ? '***' : redact(value)]);

const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function curlCommand(signed, headers) {
  const lines = [`curl -sS -X ${signed.method} ${shellQuote(signed.url)}`];
  for (const [name, value] of headers) lines.push(`  -H ${shellQuote(`${name}: ${value}`)}`);
  if (signed.body) lines.push(`  --data-raw ${shellQuote(redact(signed.body))}`);
  return lines.join(' \\\n');
}

export const explainOpen = () => !els.panel.hidden;

/** Renders the panel for `valid` ({ client, params }) or says why there is nothing to explain. */
export function renderExplain(valid) {
  if (els.panel.hidden) return;
  els.error.hidden = true;
  els.error.replaceChildren();
  if (!valid) {
    els.content.hidden = true;
    els.error.replaceChildren(h('span', { text: 'Nothing to explain until the form can be sent: see the Send card.' }));
    els.error.hidden = false;
    return;
  }
  let signed;
  try {
    signed = valid.client.signExportImages(valid.params);
  } catch (err) {
    els.content.hidden = true;
    els.error.replaceChildren(errMessage(err), ' ', codeNode(errCode(err)));
    els.error.hidden = false;
    return;
  }
  const headers = shownHeaders(signed.headers);
  const ts = headers.find(([n]) => /^x-tc-timestamp$/i.test(n))?.[1];
  const signedHost = /(?:^|\n)host:([^\n]*)/.exec(signed.canonicalRequest)?.[1] ?? '';
  setText('explain-meta', `${signed.method} ${signed.url} · signed for host ${signedHost}` +
    (ts ? ` · timestamp ${ts} (${new Date(Number(ts) * 1000).toISOString().replace('.000', '')})` : ''));
  setText('explain-canonical', redact(signed.canonicalRequest));
  setText('explain-string-to-sign', redact(signed.stringToSign));
  setText('explain-signature', redact(signed.signature));
  setText('explain-headers', headers.map(([n, v]) => `${n}: ${v}`).join('\n'));
  setText('explain-body', redact(signed.body));
  setText('explain-curl', curlCommand(signed, headers));
  els.content.hidden = false;
}

/** `revalidate()` re-runs the form's validation, which calls renderExplain with its result. */
export function wireExplain(revalidate) {
  els.button.addEventListener('click', () => {
    const open = els.panel.hidden;
    els.panel.hidden = !open;
    els.button.setAttribute('aria-expanded', String(open));
    els.button.textContent = open ? 'Hide signature' : 'Explain signature';
    if (open) {
      revalidate();
      els.panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
  });
  els.refresh.addEventListener('click', () => revalidate());
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
