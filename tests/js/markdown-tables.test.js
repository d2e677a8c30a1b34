// Every Markdown table of the repository's documents renders as a table (issue #20), and every
// relative link in them points at a file (and heading) that exists. Tables: a row
// with more or fewer cells than its header, pipe rows after a blank line (GitHub ends the
// table at the blank line and prints the rest as text full of pipes) and pipe rows without a
// delimiter row under their header all render wrong without any error anywhere. The checker
// follows GitHub Flavored Markdown's table rules: a table is a header row, then a delimiter
// row with as many cells, then rows up to the first line that is blank or not a pipe row;
// cells are split at every `|` not escaped as `\|` (GFM splits inside `code spans` too).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// Build output, installed packages and scratch folders hold no document of ours.
const SKIP = new Set([".git", "node_modules", "target", "gen", "test-output", ".tmp", "corpus", "artifacts"]);

/** Every *.md under `dir`, as paths relative to the repository. */
function markdownFiles(dir = ROOT) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(path));
    else if (entry.name.endsWith(".md")) out.push(relative(ROOT, path));
  }
  return out.sort();
}

const isPipeRow = (line) => line.trimStart().startsWith("|");
const DELIMITER_CELL = /^\s*:?-+:?\s*$/;

/** The cells of one row: split at unescaped pipes, the leading and trailing pipe dropped. */
export function cells(line) {
  const parts = line.trim().split(/(?<!\\)\|/);
  if (parts[0].trim() === "") parts.shift();
  if (parts.length > 0 && parts[parts.length - 1].trim() === "") parts.pop();
  return parts;
}

const isDelimiterRow = (line) => isPipeRow(line) && cells(line).length > 0 && cells(line).every((c) => DELIMITER_CELL.test(c));

/**
 * What renders wrong in the tables of `md`, one message per problem with its line number
 * (1-based); empty when every table is whole. Fenced code blocks are not Markdown: skipped.
 */
export function tableProblems(md) {
  const lines = md.split("\n");
  const problems = [];
  let fence = null; // the opening fence while inside a code block
  let header = null; // cell count of the table being read, null outside a table
  let afterBlank = false; // the previous line was blank and ended a table
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const at = `line ${i + 1}`;
    const fenceMark = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (fence !== null) {
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = null;
      continue;
    }
    if (fenceMark) {
      fence = fenceMark;
      header = null;
      continue;
    }
    if (!isPipeRow(line)) {
      afterBlank = header !== null && line.trim() === "";
      header = null;
      continue;
    }
    if (header !== null) {
      const n = cells(line).length;
      if (n !== header) problems.push(`${at}: ${n} cells where the header has ${header}: ${line.slice(0, 80)}`);
      continue;
    }
    // A pipe row outside a table: it must be a header with its delimiter row right below.
    const next = lines[i + 1] ?? "";
    if (!isDelimiterRow(next)) {
      problems.push(
        afterBlank
          ? `${at}: pipe rows after a blank line inside a table (the table ends at the blank line): ${line.slice(0, 80)}`
          : `${at}: a pipe row with no delimiter row (|---|) under it: ${line.slice(0, 80)}`,
      );
      // The rest of this run of pipe rows is the same problem: report it once.
      while (i + 1 < lines.length && isPipeRow(lines[i + 1])) i++;
      afterBlank = false;
      continue;
    }
    header = cells(line).length;
    const delimiter = cells(next).length;
    if (delimiter !== header) problems.push(`line ${i + 2}: delimiter row has ${delimiter} cells where the header has ${header}`);
    i++; // the delimiter row
    afterBlank = false;
  }
  return problems;
}

describe("the table checker", () => {
  const good = "text\n\n| a | b |\n|---|:-:|\n| 1 | `x \\| y` |\n| 2 | 3 |\n\nafter\n";
  test("accepts a whole table, escaped pipes and code blocks full of pipes", () => {
    assert.deepEqual(tableProblems(good), []);
    assert.deepEqual(tableProblems("```\n| not | a table\n```\n~~~sh\na | b\n~~~\n"), []);
  });
  test("finds a row with more or fewer cells than the header", () => {
    assert.match(tableProblems("| a | b |\n|---|---|\n| 1 | 2 | 3 |\n")[0], /line 3: 3 cells where the header has 2/);
    assert.match(tableProblems("| a | b |\n|---|---|\n| 1 |\n")[0], /line 3: 1 cells/);
    // a pipe inside a code span splits the cell, as on GitHub
    assert.match(tableProblems("| a | b |\n|---|---|\n| `x | y` | 2 |\n")[0], /line 3: 3 cells/);
  });
  test("finds pipe rows after a blank line inside a table", () => {
    const md = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| 3 | 4 |\n| 5 | 6 |\n";
    const problems = tableProblems(md);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], /line 5: pipe rows after a blank line/);
  });
  test("finds a table without its delimiter row, and a delimiter row of another width", () => {
    assert.match(tableProblems("| a | b |\n| 1 | 2 |\n")[0], /line 1: a pipe row with no delimiter row/);
    assert.match(tableProblems("| a | b |\n|---|---|---|\n| 1 | 2 |\n")[0], /line 2: delimiter row has 3 cells/);
  });
});

describe("every Markdown table of the repository renders", () => {
  const files = markdownFiles();
  test("the documents are found", () => {
    for (const f of ["README.md", "pkg/README.md", "emulator/README.md", "examples/worker/README.md", "bench/LEVERS.md"]) {
      assert.ok(files.includes(f), `${f} not found among ${files.join(", ")}`);
    }
    assert.ok(files.some((f) => f.startsWith("docs/")), "docs/*.md");
  });
  for (const file of files) {
    test(file, () => {
      const problems = tableProblems(readFileSync(join(ROOT, file), "utf8"));
      assert.deepEqual(problems, [], `${file}:\n  ${problems.join("\n  ")}`);
    });
  }
});

/** GitHub's anchor of a heading: lowercased, punctuation dropped, spaces to hyphens. */
export function slug(heading) {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** Relative links of `md` (outside code) that point nowhere; `file` is its repository path. */
function brokenLinks(md, file) {
  const problems = [];
  const prose = md.replace(/^(```|~~~)[\s\S]*?^\1/gm, "").replace(/`[^`\n]*`/g, "");
  for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
    const [path, anchor] = target.split("#");
    const resolved = path === "" ? join(ROOT, file) : join(ROOT, dirname(file), path);
    if (!existsSync(resolved)) {
      problems.push(`${target}: no such file`);
      continue;
    }
    if (anchor && resolved.endsWith(".md")) {
      const headings = readFileSync(resolved, "utf8").replace(/^(```|~~~)[\s\S]*?^\1/gm, "")
        .split("\n").filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, "")));
      if (!headings.includes(anchor)) problems.push(`${target}: no heading with that anchor`);
    }
  }
  return problems;
}

describe("every relative link of the repository's documents resolves", () => {
  test("the checker finds a missing file and a missing heading", () => {
    assert.equal(slug("Build, toolchain and `tests`"), "build-toolchain-and-tests");
    assert.deepEqual(brokenLinks("[a](docs/nothing.md) [b](README.md#no-such-heading) [c](README.md#license) [d](https://x.y/z)", "README.md"),
      ["docs/nothing.md: no such file", "README.md#no-such-heading: no heading with that anchor"]);
  });
  for (const file of markdownFiles()) {
    test(file, () => {
      const problems = brokenLinks(readFileSync(join(ROOT, file), "utf8"), file);
      assert.deepEqual(problems, [], `${file}:\n  ${problems.join("\n  ")}`);
    });
  }
});
