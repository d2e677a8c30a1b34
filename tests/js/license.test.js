// What the declared license needs to ship: the texts of both licenses of "MIT OR Apache-2.0" at
// the repository root and, as identical copies, in the npm tarball made from pkg/; the same
// license in every manifest; no placeholder URL in any manifest. Needs no build: `npm pack
// --dry-run` lists what the tarball would hold from the files pkg/ has now.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url);
const read = (path) => readFileSync(new URL(path, ROOT), "utf8");
const LICENSES = ["LICENSE-MIT", "LICENSE-APACHE"];
const MANIFESTS = ["Cargo.toml", "package.json", "pkg/package.json", "examples/worker/package.json", "fuzz/Cargo.toml"];

test("the root holds both license texts of MIT OR Apache-2.0", () => {
  const mit = read("LICENSE-MIT");
  assert.match(mit, /^MIT License\n\nCopyright \(c\) \d{4} tc3-edge contributors\n/);
  assert.match(mit, /Permission is hereby granted, free of charge/);
  assert.match(mit, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  const apache = read("LICENSE-APACHE");
  assert.match(apache, /^ +Apache License\n +Version 2\.0, January 2004\n/);
  assert.match(apache, /TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION/);
  assert.match(apache, /END OF TERMS AND CONDITIONS/);
  // The full text has nine numbered sections.
  for (let n = 1; n <= 9; n++) assert.match(apache, new RegExp(`\\n +${n}\\. [A-Z]`), `section ${n}`);
});

test("pkg/ carries identical copies of the licenses", () => {
  for (const name of LICENSES) assert.equal(read(`pkg/${name}`), read(name), `pkg/${name} differs from ${name}`);
});

test("npm pack of pkg/ puts both licenses into the tarball", async () => {
  const env = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--silent"], {
    cwd: fileURLToPath(new URL("pkg/", ROOT)), env, timeout: 120_000,
  });
  const [packed] = JSON.parse(stdout);
  const files = packed.files.map((f) => f.path);
  for (const name of LICENSES) {
    const entry = packed.files.find((f) => f.path === name);
    assert.ok(entry, `${name} missing from the tarball (${files.join(", ")})`);
    assert.equal(entry.size, Buffer.byteLength(read(name)), `${name} in the tarball is the whole file`);
  }
});

test("every manifest declares MIT OR Apache-2.0 and has no placeholder URL", () => {
  for (const path of MANIFESTS) {
    const text = read(path);
    assert.doesNotMatch(text, /example\.invalid/, `${path} has a placeholder URL`);
    if (path.endsWith(".json")) {
      const json = JSON.parse(text);
      if (!json.private) assert.equal(json.license, "MIT OR Apache-2.0", path);
      assert.equal(json.repository, undefined, `${path}: there is no public repository to name`);
    } else if (path === "Cargo.toml") {
      assert.match(text, /^license = "MIT OR Apache-2\.0"$/m, path);
      assert.doesNotMatch(text, /^repository\s*=/m, `${path}: there is no public repository to name`);
    }
  }
});
