// The emulator's half of the validation contract: every rule of
// tests/fixtures/export-images-rules.json (the table the client library follows too, see
// tests/validation_contract.rs) fed to the emulator's parameter checks, directly and over HTTP.
// A failing example must get the rule's code; a passing example must pass every parameter check
// (over HTTP it may still meet a business rule of the seeded account, never a parameter rule);
// a precedence case must get the rule listed first.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { checkExportParams, MAX_BUCKET_NAME_CHARS, MAX_IMAGE_IDS, MAX_PREFIX_CHARS } from '../export_images.js';
import { startEmulator } from '../server.js';
import { call } from '../signed_client.js';

const TABLE = JSON.parse(readFileSync(new URL('../../tests/fixtures/export-images-rules.json', import.meta.url), 'utf8'));
const TABLE_CODES = new Set(TABLE.rules.map((r) => r.code));
// What a request that passed every parameter rule may still meet: the documented business codes
// of the action (no such image, bucket, ...) and DryRunOperation.
const DOCUMENTED = JSON.parse(readFileSync(new URL('../../tests/fixtures/export-images-errors.json', import.meta.url), 'utf8')).codes;
const AFTER_VALIDATION = new Set([...DOCUMENTED.map((c) => c.code).filter((c) => !TABLE_CODES.has(c)), 'DryRunOperation']);
// checkExportParams converts nothing for POST bodies, but a copy keeps the table pristine.
const copy = (v) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
const show = (v) => JSON.stringify(v).slice(0, 100);

test('the limits are the table\'s', () => {
  assert.deepEqual(
    { maxImageIds: MAX_IMAGE_IDS, maxFileNamePrefixChars: MAX_PREFIX_CHARS, maxBucketNameChars: MAX_BUCKET_NAME_CHARS },
    TABLE.limits,
  );
});

describe('checkExportParams follows every rule', () => {
  for (const rule of TABLE.rules) {
    test(`${rule.id} ${rule.code}: ${rule.rule}`, () => {
      for (const { params } of rule.fail) {
        assert.equal(checkExportParams(copy(params))?.code, rule.code, `${rule.id} must refuse ${show(params)}`);
      }
      for (const { params } of rule.pass) {
        assert.equal(checkExportParams(copy(params)), null, `${rule.id} must accept ${show(params)}`);
      }
    });
  }

  test('the first rule broken is the one reported', () => {
    for (const c of TABLE.precedence) assert.equal(checkExportParams(copy(c.params))?.code, c.code, c.why);
  });
});

describe('over HTTP, the server answers as the table says', () => {
  let emu;
  // Passing examples create tasks; the per-SecretId rate limit and task cap are not under test.
  before(async () => { emu = await startEmulator({ rateLimit: { max: 10_000, windowMs: 1000 }, maxRunningExportTasks: 10_000 }); });
  after(() => emu.close());
  beforeEach(() => emu.state.reset());
  const send = (params) => call(emu.url, { action: 'ExportImages', body: JSON.stringify(params) });

  let created = 0;
  for (const rule of TABLE.rules) {
    test(`${rule.id} ${rule.code}`, async () => {
      for (const { params } of rule.fail) {
        const r = await send(params);
        assert.equal(r.response.Error?.Code, rule.code, `${rule.id} ${show(params)} → ${JSON.stringify(r.response)}`);
      }
      for (const { params } of rule.pass) {
        const r = await send(params);
        const code = r.response.Error?.Code;
        if (code === undefined) created++;
        else assert.ok(AFTER_VALIDATION.has(code), `${rule.id} ${show(params)} must pass the parameter rules: ${JSON.stringify(r.response)}`);
      }
    });
  }

  test('most passing examples export for real', () => {
    const total = TABLE.rules.reduce((n, r) => n + r.pass.length, 0);
    assert.ok(created > total / 2, `${created} of ${total} passing examples created a task`);
  });

  test('precedence cases', async () => {
    for (const c of TABLE.precedence) assert.equal((await send(c.params)).response.Error?.Code, c.code, c.why);
  });
});
