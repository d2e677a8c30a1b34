// Renders tests/fixtures/export-images-rules.json as the Markdown tables of docs/validation.md.
// `node tests/js/support/validation-table.js --write` rewrites the generated part of that file;
// tests/js/validation-doc.test.js fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RULES_JSON = new URL('../../fixtures/export-images-rules.json', import.meta.url);
export const DOC = new URL('../../../docs/validation.md', import.meta.url);
export const BEGIN = '<!-- generated from tests/fixtures/export-images-rules.json by `node tests/js/support/validation-table.js --write`: edit the JSON, not this table -->';
export const END = '<!-- end of generated tables -->';

// Table cells: no pipes or newlines; < and > as entities, or `<name>` would read as an HTML tag.
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const code = (s) => `\`${s}\``;

/** The generated Markdown: the rules table, then the precedence cases. */
export function renderTables(table) {
  const lines = [
    '| # | field | rule | code | source |',
    '|---|---|---|---|---|',
    ...table.rules.map((r) => `| ${r.id} | ${code(r.field)} | ${cell(r.rule)} | ${code(r.code)} | ${cell(r.source)} |`),
    '',
    'Precedence: with several problems, the rule listed first wins. The cases both sides are tested with:',
    '',
    '| case | code | field |',
    '|---|---|---|',
    ...table.precedence.map((c) => `| ${cell(c.why)} | ${code(c.code)} | ${c.field ? code(c.field) : ''} |`),
  ];
  return lines.join('\n');
}

/** The document with its generated part replaced by `renderTables(table)`. */
export function renderDoc(doc, table) {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error('docs/validation.md lacks the generated-table markers');
  return `${doc.slice(0, start + BEGIN.length)}\n\n${renderTables(table)}\n\n${doc.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const table = JSON.parse(readFileSync(RULES_JSON, 'utf8'));
  const doc = readFileSync(DOC, 'utf8');
  const next = renderDoc(doc, table);
  if (process.argv.includes('--write')) {
    writeFileSync(DOC, next);
    console.log(next === doc ? 'docs/validation.md is up to date' : 'docs/validation.md rewritten');
  } else {
    process.stdout.write(renderTables(table) + '\n');
  }
}
