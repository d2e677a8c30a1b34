// The esbuild settings every bundle of the package shares (scripts/minify.mjs: each module's
// glue; scripts/entries.mjs: each runtime entry): ESM for every runtime, ES2022, no license
// comments (the package ships its licenses as files), warnings shown.
export const BUNDLE = {
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
};
