// For each ExportImages error code, one request body (and region, and account key when not
// `permanent`) the emulator answers with it.
// The emulator's tests use this table; the library's integration tests may reuse it.
import { APP_ID } from './account.js';

const BUCKET = `test-bucket-${APP_ID}`;
const one = (imageId, extra = {}) => ({ ImageIds: [imageId], BucketName: BUCKET, ...extra });

export const EXPORT_ERROR_CASES = [
  // Parameter validation (the client library checks the same before sending).
  { code: 'MissingParameter', body: { ImageIds: ['img-pq5pau1w'] } },
  { code: 'InvalidParameterValue.InvalidAppIdFormat', body: { ImageIds: ['img-pq5pau1w'], BucketName: 'test-bucket-AppId' } },
  { code: 'InvalidParameter.ImageIdsSnapshotIdsMustOne', body: { BucketName: BUCKET, ImageIds: [] } },
  { code: 'InvalidParameterValue.LimitExceeded', body: { BucketName: BUCKET, ImageIds: Array.from({ length: 11 }, (_, i) => `img-0000000${i % 10}`) } },
  { code: 'InvalidImageId.Malformed', body: one('img-PQ5PAU1W') },
  { code: 'InvalidParameterValue', body: one('img-pq5pau1w', { ExportFormat: 'ISO' }) },
  { code: 'InvalidParameterValue.InvalidFileNamePrefixList', body: { BucketName: BUCKET, ImageIds: ['img-pq5pau1w', 'img-72n9mi0y'], FileNamePrefixList: ['only-one'] } },
  { code: 'InvalidParameterValue.TooLarge', body: one('img-pq5pau1w', { FileNamePrefixList: ['x'.repeat(65)] }) },
  { code: 'UnknownParameter', body: { BucketName: BUCKET, SnapshotIds: ['snap-data0001'] } },
  { code: 'UnknownParameter', body: one('img-pq5pau1w', { ImageID: 'img-pq5pau1w' }) },
  { code: 'InvalidParameter', body: one('img-pq5pau1w', { DryRun: 'yes' }) },
  // Images.
  { code: 'InvalidImageId.NotFound', body: one('img-zzzzzzzz') },
  { code: 'UnsupportedOperation.PublicImageExportUnsupported', body: one('img-pub0ubnt') },
  { code: 'UnsupportedOperation.PublicImageExportUnsupported', body: one('img-market01') },
  { code: 'UnsupportedOperation.SharedImageExportUnsupported', body: one('img-shared01') },
  { code: 'UnsupportedOperation.MarketImageExportUnsupported', body: one('img-mkt00001') },
  { code: 'UnsupportedOperation.WindowsImageExportUnsupported', body: one('img-win2019a') },
  { code: 'UnsupportedOperation.RedHatImageExportUnsupported', body: one('img-rhel0008') },
  { code: 'UnsupportedOperation.EncryptedImagesNotSupported', body: one('img-encrypt1') },
  { code: 'InvalidParameterValue.InvalidImageId', body: one('img-noexp001') },
  { code: 'InvalidParameterValue.InvalidImageOsName', body: one('img-kylin010'), region: 'ap-guangzhou' },
  { code: 'InvalidParameterValue.InvalidImageState', body: one('img-busy0001') },
  { code: 'UnsupportedOperation.ImageTooLargeExportUnsupported', body: one('img-huge2tb0') },
  // Snapshots, role, bucket, task limit.
  // SnapshotIds is open to preview accounts only (account.js); for others it is UnknownParameter.
  { code: 'InvalidParameter.SnapshotNotFound', body: { BucketName: BUCKET, SnapshotIds: ['snap-nothere1'] }, key: 'snapshotPreview' },
  { code: 'AuthFailure.CamRoleNameAuthenticateFailed', body: one('img-pq5pau1w', { RoleName: 'NoSuchRole' }) },
  { code: 'InvalidParameterValue.BucketNotFound', body: one('img-pq5pau1w', { BucketName: `no-such-bucket-${APP_ID}` }) },
  { code: 'InvalidParameterValue.InvalidBucketPermissionForExport', body: one('img-pq5pau1w', { BucketName: `readonly-${APP_ID}` }) },
  { code: 'LimitExceeded.ExportImageTaskLimitExceeded', body: one('img-pq5pau1w', { BucketName: `queue-full-${APP_ID}` }) },
  // DryRun of a request that would succeed.
  { code: 'DryRunOperation', body: one('img-pq5pau1w', { DryRun: true }) },
];
