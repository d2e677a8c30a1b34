// ExportImages: parameter validation (the same codes the client library reports), then the
// business rules of the seeded account (account.js), then one export task on success.
import { BUCKETS, IMAGES, MAX_EXPORT_IMAGE_GB, ROLES, STANDALONE_SNAPSHOTS } from './account.js';
import { checkParams } from './params.js';

const SCHEMA = {
  BucketName: 'string', ImageIds: 'string[]', SnapshotIds: 'string[]', ExportFormat: 'string',
  FileNamePrefixList: 'string[]', OnlyExportRootDisk: 'boolean', DryRun: 'boolean', RoleName: 'string',
};
const FORMATS = ['RAW', 'QCOW2', 'VHD', 'VMDK'];
const MAX_IDS = 10;
const MAX_PREFIX_CHARS = 64;

const fail = (code, message) => ({ error: { code, message } });

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
export function planExport(params, { region, fromQuery = false }) {
  const typeError = checkParams(params, SCHEMA, { fromQuery });
  if (typeError) return { error: typeError };
  const p = params;
  if (!p.BucketName) return fail('MissingParameter', 'The request is missing a required parameter `BucketName`.');
  if (!/^.+-\d+$/.test(p.BucketName)) {
    return fail('InvalidParameterValue.InvalidAppIdFormat', `BucketName \`${p.BucketName}\` must end with -<APPID> (digits).`);
  }
  const imageIds = p.ImageIds ?? [];
  const snapshotIds = p.SnapshotIds ?? [];
  if (!imageIds.length && !snapshotIds.length) {
    return fail('InvalidParameter.ImageIdsSnapshotIdsMustOne', 'One of ImageIds and SnapshotIds must be given.');
  }
  if (imageIds.length > MAX_IDS || snapshotIds.length > MAX_IDS) {
    return fail('InvalidParameterValue.LimitExceeded', `At most ${MAX_IDS} ImageIds (or SnapshotIds) per request.`);
  }
  const malformed = imageIds.find((id) => !/^img-[a-z0-9]{8}$/.test(id));
  if (malformed !== undefined) return fail('InvalidImageId.Malformed', `Invalid image id \`${malformed}\`.`);
  // The value rules below are the ones tc3-edge also checks before sending (same codes), so the
  // demo's inline validation and the server never disagree.
  const duplicate = imageIds.find((id, i) => imageIds.indexOf(id) !== i);
  if (duplicate !== undefined) return fail('InvalidParameterValue', `The image id \`${duplicate}\` is listed twice.`);
  const format = p.ExportFormat ?? 'RAW';
  if (!FORMATS.includes(format)) {
    return fail('InvalidParameterValue', `ExportFormat \`${p.ExportFormat}\` is not one of ${FORMATS.join(', ')}.`);
  }
  const prefixes = p.FileNamePrefixList;
  if (prefixes && prefixes.length !== (imageIds.length || snapshotIds.length)) {
    return fail('InvalidParameterValue.InvalidFileNamePrefixList', 'FileNamePrefixList must have one entry per ImageId (or SnapshotId).');
  }
  if (prefixes?.includes('')) return fail('InvalidParameterValue', 'A file name prefix must not be empty.');
  const long = prefixes?.find((s) => [...s].length > MAX_PREFIX_CHARS);
  if (long !== undefined) return fail('InvalidParameterValue.TooLarge', `A file name prefix is longer than ${MAX_PREFIX_CHARS} characters.`);

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
  if (p.RoleName === '') return fail('InvalidParameterValue', 'RoleName must not be empty.');
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
  const { error, plan, dryRun } = planExport(params, { region, fromQuery });
  if (error) return { error };
  const { maxRunningExportTasks } = state.config;
  if (state.runningTasks(now) >= maxRunningExportTasks) {
    return fail('LimitExceeded.ExportImageTaskLimitExceeded',
      `${maxRunningExportTasks} export tasks are in progress; retry after they finish.`);
  }
  // The real API answers a DryRun that would have succeeded with this error, not with a result.
  if (dryRun) return fail('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
  // ExportMs: how long this task runs; its files appear in COS one by one meanwhile (cos.js).
  const task = { TaskId: state.nextTaskId++, ...plan, SecretId: secretId, Region: region, RequestId: requestId, CreatedAt: now, ExportMs: state.config.exportTaskMs };
  state.tasks.push(task);
  return { data: { TaskId: task.TaskId, CosPaths: task.CosPaths } };
}
