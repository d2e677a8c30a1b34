// Records tests/fixtures/option-outcomes.json: the outcome of every case of ./option-cases.js
// with the package in <pkgDir> (its node entry). The fixture in the repository was recorded
// with the build of main at 99b3b86, before the option shapes of presignCosUrl, the export
// waits and the call options moved from the Rust reader (`Props`) to js/options.js; the test
// (tests/js/options-differential.test.js) runs the same cases on today's build and compares.
//   node tests/js/support/record-option-outcomes.mjs <pkgDir> [note]
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { caseIds, runCase } from "./option-cases.js";

const [dir, note = ""] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node tests/js/support/record-option-outcomes.mjs <pkgDir> [note]");
  process.exit(2);
}
const pkg = await import(pathToFileURL(resolve(dir, "node.js")).href);
const distinct = [];
const index = new Map();
const outcomes = {};
for (const id of caseIds()) {
  const text = JSON.stringify(await runCase(pkg, id));
  if (!index.has(text)) {
    index.set(text, distinct.length);
    distinct.push(JSON.parse(text));
  }
  outcomes[id] = index.get(text);
}
const out = new URL("../../fixtures/option-outcomes.json", import.meta.url);
// One outcome and one case a line, so that a change reads as a diff.
const lines = (entries) => entries.map((e) => `    ${e}`).join(",\n");
writeFileSync(out, `{
  "recordedWith": ${JSON.stringify(note)},
  "cases": ${Object.keys(outcomes).length},
  "distinct": [
${lines(distinct.map((d) => JSON.stringify(d)))}
  ],
  "outcomes": {
${lines(Object.entries(outcomes).map(([id, i]) => `${JSON.stringify(id)}: ${i}`))}
  }
}
`);
console.log(`${Object.keys(outcomes).length} cases, ${distinct.length} distinct outcomes -> ${out.pathname}`);
