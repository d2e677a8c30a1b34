// ExportImages: parameter validation (the table tests/fixtures/export-images-rules.json, which the
// client library follows too), then the business rules of the seeded account (account.js), then
// one export task on success.
import { BUCKETS, CREDENTIALS, IMAGES, MAX_EXPORT_IMAGE_GB, ROLES, STANDALONE_SNAPSHOTS } from './account.js';
import { checkParams } from './params.js';

const SCHEMA = {
  BucketName: 'string', ImageIds: 'string[]', ExportFormat: 'string',
  FileNamePrefixList: 'string[]', OnlyExportRootDisk: 'boolean', DryRun: 'boolean', RoleName: 'string',
};
// SnapshotIds is "not open to the public" (API doc) and in no SDK model: only keys let into the
// preview (account.js `snapshotIds: true`) may send it; for everyone else it is UnknownParameter.
const PREVIEW_SCHEMA = { ...SCHEMA, SnapshotIds: 'string[]' };
const PREVIEW_KEYS = new Set(Object.values(CREDENTIALS).filter((k) => k.snapshotIds).map((k) => k.secretId));
const FORMATS = ['RAW', 'QCOW2', 'VHD', 'VMDK'];
export const MAX_IMAGE_IDS = 10;
export const MAX_PREFIX_CHARS = 64;
export const MAX_BUCKET_NAME_CHARS = 50;

const fail = (code, message) => ({ error: { code, message } });
const problem = (code, message) => ({ code, message });

/**
 * The parameter rules, in the table's order: the parameters are an object, no unknown field,
 * every JSON type, then the values field by field. Returns { code, message } for the first
 * rule broken, or null. `allowSnapshotIds`: the caller may use SnapshotIds (a preview key).
 * With `fromQuery`, values are strings from a GET query and are converted in place first.
 */
export function checkExportParams(params, { fromQuery = false, allowSnapshotIds = false } = {}) {
  if (!params || typeof params !== 'object' || Array.isArray(params)) {
    return problem('InvalidParameter', 'The request parameters must be a JSON object.');
  }
  const typeError = checkParams(params, allowSnapshotIds ? PREVIEW_SCHEMA : SCHEMA, { fromQuery });
  if (typeError) return typeError;
  const p = params;
  if (!p.BucketName) return problem('MissingParameter', 'The request is missing a required parameter `BucketName`.');
  // `<name>-<APPID>`, the APPID digits after the last dash; `s`: a newline is a character too.
  const bucket = /^(.+)-(\d+)$/s.exec(p.BucketName);
  if (!bucket) return problem('InvalidParameterValue.InvalidAppIdFormat', `BucketName \`${p.BucketName}\` must end with -<APPID> (digits).`);
  const name = bucket[1];
  if (!/^[a-z0-9-]+$/.test(name)) return problem('InvalidParameterValue', `The bucket name \`${name}\` may hold only a-z, 0-9 and -.`);
  if (name.startsWith('-') || name.endsWith('-')) return problem('InvalidParameterValue', `The bucket name \`${name}\` must not start or end with -.`);
  if (name.length > MAX_BUCKET_NAME_CHARS) return problem('InvalidParameterValue', `The bucket name is longer than ${MAX_BUCKET_NAME_CHARS} characters.`);

  const imageIds = p.ImageIds ?? [];
  const snapshotIds = p.SnapshotIds ?? [];
  if (!imageIds.length && !snapshotIds.length) {
    return problem('InvalidParameter.ImageIdsSnapshotIdsMustOne', 'One of ImageIds and SnapshotIds must be given.');
  }
  if (imageIds.length > MAX_IMAGE_IDS || snapshotIds.length > MAX_IMAGE_IDS) {
    return problem('InvalidParameterValue.LimitExceeded', `At most ${MAX_IMAGE_IDS} ImageIds (or SnapshotIds) per request.`);
  }
  for (const [i, id] of imageIds.entries()) {
    if (!/^img-[a-z0-9]{8}$/.test(id)) return problem('InvalidImageId.Malformed', `Invalid image id \`${id}\`.`);
    if (imageIds.indexOf(id) !== i) return problem('InvalidParameterValue', `The image id \`${id}\` is listed twice.`);
  }
  if (p.ExportFormat !== undefined && !FORMATS.includes(p.ExportFormat)) {
    return problem('InvalidParameterValue', `ExportFormat \`${p.ExportFormat}\` is not one of ${FORMATS.join(', ')}.`);
  }
  const prefixes = p.FileNamePrefixList;
  if (prefixes && prefixes.length !== (imageIds.length || snapshotIds.length)) {
    return problem('InvalidParameterValue.InvalidFileNamePrefixList', 'FileNamePrefixList must have one entry per ImageId (or SnapshotId).');
  }
  for (const prefix of prefixes ?? []) {
    if (prefix === '') return problem('InvalidParameterValue', 'A file name prefix must not be empty.');
    if ([...prefix].length > MAX_PREFIX_CHARS) return problem('InvalidParameterValue.TooLarge', `A file name prefix is longer than ${MAX_PREFIX_CHARS} characters.`);
  }
  if (p.RoleName === '') return problem('InvalidParameterValue', 'RoleName must not be empty.');
  return null;
}

/** Why each seeded image is refused (image.rule → code and message). */
const IMAGE_RULES = {
  public: ['UnsupportedOperation.PublicImageExportUnsupported', 'public and marketplace images cannot be exported'],
  shared: ['UnsupportedOperation.SharedImageExportUnsupported', 'shared images cannot be exported'],
  marketDerived: ['UnsupportedOperation.MarketImageExportUnsupported', 'images created from marketplace images cannot be exported'],
  windows: ['UnsupportedOperation.WindowsImageExportUnsupported', 'Windows images cannot be exported'],
  redhat: ['UnsupportedOperation.RedHatImageExportUnsupported', 'RedHat images cannot be exported'],
  encrypted: ['UnsupportedOperation.EncryptedImagesNotSupported', 'encrypted images cannot be exported'],
  unsupported: ['InvalidParameterValue.InvalidImageId', 'the image does not support this operation'],
  busy: ['InvalidParameterValue.InvalidImageState', 'the image has another task in progress'],
  tooLarge: ['UnsupportedOperation.ImageTooLargeExportUnsupported', `images larger than ${MAX_EXPORT_IMAGE_GB} GB cannot be exported`],
};

/** Checks without side effects; returns { error } or { plan } describing the task to create. */
export function planExport(params, { region, fromQuery = false, allowSnapshotIds = false }) {
  const invalid = checkExportParams(params, { fromQuery, allowSnapshotIds });
  if (invalid) return { error: invalid };
  const p = params;
  const imageIds = p.ImageIds ?? [];
  const snapshotIds = p.SnapshotIds ?? [];
  const format = p.ExportFormat ?? 'RAW';
  const prefixes = p.FileNamePrefixList;

  // Business rules, in this order: images, snapshots, role, bucket, task limit.
  const images = [];
  for (const id of imageIds) {
    const image = IMAGES.find((i) => i.ImageId === id);
    if (!image) return fail('InvalidImageId.NotFound', `The image \`${id}\` does not exist.`);
    if (image.rule === 'osRegion' && !image.OsRegions.includes(region)) {
      return fail('InvalidParameterValue.InvalidImageOsName', `The OS of \`${id}\` (${image.OsName}) is not available in ${region}.`);
    }
    if (IMAGE_RULES[image.rule]) {
      const [code, why] = IMAGE_RULES[image.rule];
      return fail(code, `\`${id}\`: ${why}.`);
    }
    images.push(image);
  }
  const knownSnapshots = new Set([...STANDALONE_SNAPSHOTS, ...IMAGES.flatMap((i) => [i.SystemSnapshot, ...i.DataSnapshots])]);
  const missingSnap = snapshotIds.find((s) => !knownSnapshots.has(s));
  if (missingSnap !== undefined) return fail('InvalidParameter.SnapshotNotFound', `The snapshot \`${missingSnap}\` does not exist.`);
  const role = p.RoleName ?? 'CVM_QcsRole';
  if (!ROLES.includes(role)) {
    return fail('AuthFailure.CamRoleNameAuthenticateFailed', `The role \`${role}\` does not exist or may not be assumed by CVM.`);
  }
  const bucket = BUCKETS[p.BucketName];
  if (!bucket) return fail('InvalidParameterValue.BucketNotFound', `The bucket \`${p.BucketName}\` does not exist.`);
  if (!bucket.writable) {
    return fail('InvalidParameterValue.InvalidBucketPermissionForExport', `The role \`${role}\` may not write to \`${p.BucketName}\`.`);
  }
  if (bucket.queueFull) {
    return fail('LimitExceeded.ExportImageTaskLimitExceeded', 'Too many export tasks in progress; retry after they finish.');
  }

  const ext = format.toLowerCase();
  const named = (i, rest) => `/${prefixes?.[i] ? `${prefixes[i]}_` : ''}${rest}.${ext}`;
  const cosPaths = images.flatMap((img, i) => [
    named(i, `${img.ImageId}_system_${img.SystemSnapshot}`),
    ...(p.OnlyExportRootDisk ? [] : img.DataSnapshots.map((s) => named(i, `${img.ImageId}_data_${s}`))),
  ]);
  // Snapshots carry no image in their name; with ImageIds also given, prefixes belong to the images.
  cosPaths.push(...snapshotIds.map((s, i) => named(imageIds.length ? -1 : i, s)));
  return {
    plan: {
      ImageIds: imageIds, SnapshotIds: snapshotIds, BucketName: p.BucketName, ExportFormat: format,
      FileNamePrefixList: prefixes ?? [], OnlyExportRootDisk: p.OnlyExportRootDisk ?? false, RoleName: role,
      CosPaths: cosPaths,
    },
    dryRun: p.DryRun === true,
  };
}

/**
 * The action: plan, then the per-account cap of running tasks (state.config), then DryRun or a task.
 * Returns { error } or { data }.
 */
export function exportImages(params, { state, region, secretId, requestId, now, fromQuery }) {
  const { error, plan, dryRun } = planExport(params, { region, fromQuery, allowSnapshotIds: PREVIEW_KEYS.has(secretId) });
  if (error) return { error };
  const { maxRunningExportTasks } = state.config;
  if (state.runningTasks(now) >= maxRunningExportTasks) {
    return fail('LimitExceeded.ExportImageTaskLimitExceeded',
      `${maxRunningExportTasks} export tasks are in progress; retry after they finish.`);
  }
  // The real API answers a DryRun that would have succeeded with this error, not with a result.
  if (dryRun) return fail('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
  const task = { TaskId: state.nextTaskId++, ...plan, SecretId: secretId, Region: region, RequestId: requestId, CreatedAt: now };
  state.tasks.push(task);
  return { data: { TaskId: task.TaskId, CosPaths: task.CosPaths } };
}
