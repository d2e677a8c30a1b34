// Plain words first, codes second: what to do, in the user's terms, for each error the form or
// the API can give. Image and prefix numbers are 1-based, as a person counts them. The API code
// is shown beside the sentence as a small detail (form.js, send.js), never instead of it.

const nth = (field) => {
  const i = Number(String(field ?? '').split('.')[1]);
  return Number.isInteger(i) ? i + 1 : null;
};
const subject = (id) => (id ? ` (${id})` : '');

/** A validation error of ExportImages' parameters, in words. `id`: the image it is about. */
export function validationWords(err, id) {
  const code = String(err?.code ?? '');
  const field = String(err?.field ?? '');
  const name = field.split('.')[0];
  const n = nth(field);
  switch (name) {
    case 'ImageIds':
    case 'SnapshotIds':
      if (code === 'InvalidParameter.ImageIdsSnapshotIdsMustOne' || code === 'MissingParameter') return 'Select at least one image.';
      if (code.endsWith('LimitExceeded')) return 'Select at most 10 images: one export takes up to 10.';
      if (code === 'InvalidImageId.Malformed') return `Image ${n}${subject(id)} is not an image ID: they look like img-xxxxxxxx.`;
      if (n) return `Image ${n}${subject(id)} is listed twice or not valid: remove it.`;
      return 'Check the selected images.';
    case 'BucketName':
      if (code === 'MissingParameter') return 'Enter the bucket to export to.';
      if (code.endsWith('InvalidAppIdFormat')) return 'End the bucket name with -<APPID> (digits), e.g. backup-1250000000.';
      return 'Use only a–z, 0–9 and - in the bucket name, not at its start or end, up to 50 characters.';
    case 'FileNamePrefixList':
      if (code.endsWith('InvalidFileNamePrefixList')) return 'Give every selected image a file-name prefix, or none of them.';
      if (code.endsWith('TooLarge')) return `Shorten the prefix of image ${n}${subject(id)} to 64 characters or fewer.`;
      if (n) return `Enter a file-name prefix for image ${n}${subject(id)}, or clear all prefixes.`;
      return 'Check the file-name prefixes.';
    case 'ExportFormat': return 'Choose one of the listed formats.';
    case 'RoleName': return 'Enter a role name, or leave the field empty for CVM_QcsRole.';
    case 'OnlyExportRootDisk':
    case 'DryRun': return 'Check the export options.';
    default: return err?.message ? String(err.message) : 'Check the form.';
  }
}

/** A connection (client option) error, in words. */
export function connectionWords(err) {
  const m = String(err?.message ?? '');
  if (err?.code === 'Client.InvalidCredential') {
    if (/secretKey/.test(m)) return 'Enter the SecretKey.';
    if (/token/.test(m)) return 'The session token is not valid: paste it again or clear it.';
    return 'Enter the SecretId (it starts with AKID).';
  }
  if (/^cosEndpoint/.test(m)) return 'Enter the COS endpoint as a URL with {Bucket}, or clear it.';
  if (/^endpoint/.test(m)) return 'Enter the endpoint as a host or an http(s) URL.';
  if (/^host/.test(m)) return 'Enter the host to sign for without a port or path, or clear it.';
  if (/^region/.test(m)) return 'Choose a region.';
  return 'Check the connection settings.';
}

const API_WORDS = {
  'AuthFailure.SignatureFailure': 'The keys were refused: check the SecretId and the SecretKey.',
  'AuthFailure.SecretIdNotFound': 'This SecretId does not exist: check it.',
  'AuthFailure.SignatureExpire': "The request's time is too far from the server's: check this computer's clock.",
  'AuthFailure.TokenFailure': 'The session token was refused: get new temporary keys.',
  'AuthFailure.CamRoleNameAuthenticateFailed': 'CVM may not use this role: check the role name, or leave it empty.',
  'InvalidParameterValue.BucketNotFound': 'This bucket does not exist in the region: check its name and the region.',
  'InvalidParameterValue.InvalidBucketPermissionForExport': 'The export role may not write to this bucket: grant it write access, or choose another bucket.',
  'LimitExceeded.ExportImageTaskLimitExceeded': 'Too many exports are running: try again when some have finished.',
  'RequestLimitExceeded': 'Too many requests right now: wait a moment and try again.',
  'InvalidImageId.NotFound': 'An image does not exist in this region: reload the images.',
  'InvalidParameterValue.InvalidImageState': 'An image is busy with another task: try again when it is Normal.',
  'Client.NetworkError': 'The API could not be reached: check the endpoint and the network.',
  'Client.Timeout': 'The API did not answer in time. The export may have started: check the exports before trying again.',
  'Worker.Unauthenticated': 'The Worker did not accept the Access token: sign in again (or paste a fresh token).',
  'Worker.BucketNotAllowed': 'The Worker does not export to this bucket: choose an allowed one.',
  'Worker.NotConfigured': 'The Worker is not configured (Access team domain and AUD).',
};

/** An API (or transport) error, in words: what happened and what to do. */
export function apiWords(err) {
  const code = String(err?.code ?? '');
  if (API_WORDS[code]) return API_WORDS[code];
  if (code === 'Client.HttpStatus') return `The server answered with HTTP status ${err?.httpCode ?? '?'} and no result.`;
  if (code.startsWith('UnsupportedOperation')) return 'This image cannot be exported.';
  if (code.startsWith('Client.')) return 'The request did not complete.';
  if (code.startsWith('AuthFailure')) return 'The credentials or the signature were refused.';
  return 'The API refused the request.';
}

/** A wait's failure, in words. */
export function waitWords(err) {
  const code = String(err?.code ?? '');
  if (code === 'Client.WaitTimeout') return 'Stopped waiting: the files did not appear in time. The export may still finish; Resume to look again.';
  if (code === 'NoSuchBucket') return 'The bucket does not exist.';
  if (code === 'AccessDenied' || code === 'SignatureDoesNotMatch' || code === 'InvalidAccessKeyId') return 'COS refused to show the files: these keys may not read the bucket.';
  return 'Could not check the files.';
}
