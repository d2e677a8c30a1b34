// The validation rules are written down once (tests/fixtures/export-images-rules.json); the
// documents that show them cannot drift from it: docs/validation.md's tables are exactly the
// rendered JSON, the README links there (quoting only real codes), and the emulator README's
// validation table names every code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BEGIN, DOC, END, renderDoc, renderTables, RULES_JSON } from './support/validation-table.js';

const TABLE = JSON.parse(readFileSync(RULES_JSON, 'utf8'));
const CODES = [...new Set(TABLE.rules.map((r) => r.code))];
const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The lines of the first Markdown table after `heading` in `md`. */
function tableAfter(md, heading) {
  const at = md.indexOf(heading);
  assert.ok(at >= 0, `"${heading}" not found`);
  const lines = md.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines.slice(start, end).join('\n');
}

test('docs/validation.md shows exactly the rules table (node tests/js/support/validation-table.js --write)', () => {
  const doc = readFileSync(DOC, 'utf8');
  assert.equal(doc, renderDoc(doc, TABLE));
  const generated = doc.slice(doc.indexOf(BEGIN) + BEGIN.length, doc.indexOf(END));
  for (const r of TABLE.rules) assert.ok(generated.includes(`| ${r.id} |`), r.id);
  assert.equal(generated.trim(), renderTables(TABLE));
});

test('the rendered table has one row per rule and escapes what Markdown would eat', () => {
  const rows = renderTables(TABLE).split('\n').filter((l) => /^\| R\d+ \|/.test(l));
  assert.equal(rows.length, TABLE.rules.length);
  for (const row of rows) {
    assert.equal(row.split(/(?<!\\)\|/).length, 7, `five cells: ${row.slice(0, 60)}`);
    assert.doesNotMatch(row, /<[A-Za-z]/, 'no raw <tag>');
  }
});

test("the README sends readers to the rules table, and every code it names is one of the rules", () => {
  // The README keeps no copy of the table (docs/validation.md renders it from the JSON): it
  // links there, and the codes it quotes as examples must exist.
  const md = read('README.md');
  const at = md.indexOf('Validation refuses bad parameters');
  assert.ok(at >= 0, 'the validation paragraph');
  const paragraph = md.slice(at, md.indexOf('\n\n', at));
  assert.match(paragraph, /docs\/validation\.md/);
  const named = [...paragraph.matchAll(/`([A-Za-z]+(?:\.[A-Za-z]+)*)`/g)].map((m) => m[1]).filter((c) => /^[A-Z]/.test(c));
  assert.ok(named.length >= 3, named.join());
  for (const code of named) assert.ok(CODES.includes(code), `${code} is not a code of the rules`);
});

test("the emulator README's parameter checks name every code of the rules and point at the table", () => {
  const md = read('emulator/README.md');
  const table = tableAfter(md, 'Parameter checks first');
  for (const code of CODES) assert.ok(table.includes(`\`${code}\``), `${code} missing from emulator/README.md`);
  assert.match(md, /docs\/validation\.md/);
});
