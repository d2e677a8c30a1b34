// The validation contract end to end: the built package's client.validateExportImages (the Rust
// validator compiled to wasm, behind the JS boundary) and the emulator's parameter checks, side
// by side on every example of tests/fixtures/export-images-rules.json. Same code, or both
// accept; the client's field is the example's, and an accepted request comes back unchanged.
// Needs the package built (scripts/build.sh; make test builds first).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { checkExportParams } from '../../emulator/export_images.js';

const GEN = new URL('../../pkg/gen/tc3_edge_bg.wasm', import.meta.url);
if (!existsSync(GEN)) throw new Error('pkg/gen is missing: build the package first with scripts/build.sh');
const { CvmClient, TencentCloudError } = await import('../../pkg/node.js');

const TABLE = JSON.parse(readFileSync(new URL('../fixtures/export-images-rules.json', import.meta.url), 'utf8'));
const client = new CvmClient({ credential: { secretId: 'AKIDcontract', secretKey: 'contract-key' }, region: 'ap-guangzhou' });
const copy = (v) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
const show = (v) => JSON.stringify(v).slice(0, 100);

/** { code, field } of the client's refusal, or { accepted } with what it returned. */
function clientOutcome(params) {
  try {
    return { accepted: client.validateExportImages(copy(params)) };
  } catch (e) {
    assert.ok(e instanceof TencentCloudError, `a TencentCloudError, got ${e}`);
    return { code: e.code, field: e.field ?? '' };
  }
}

const emulatorCode = (params) => checkExportParams(copy(params))?.code;

describe('client (wasm) and emulator agree on every example', () => {
  for (const rule of TABLE.rules) {
    test(`${rule.id} ${rule.code}`, () => {
      for (const { params, field } of rule.fail) {
        const c = clientOutcome(params);
        assert.deepEqual({ code: c.code, field: c.field }, { code: rule.code, field }, `client on ${show(params)}`);
        assert.equal(emulatorCode(params), c.code, `emulator on ${show(params)}`);
      }
      for (const { params } of rule.pass) {
        const c = clientOutcome(params);
        assert.deepEqual(c.accepted, params, `client accepts ${show(params)} unchanged`);
        assert.equal(emulatorCode(params), undefined, `emulator accepts ${show(params)}`);
      }
    });
  }

  test('precedence: both report the rule listed first', () => {
    for (const c of TABLE.precedence) {
      const got = clientOutcome(c.params);
      assert.deepEqual({ code: got.code, field: got.field }, { code: c.code, field: c.field }, `client: ${c.why}`);
      assert.equal(emulatorCode(c.params), c.code, `emulator: ${c.why}`);
    }
  });
});
