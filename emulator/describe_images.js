// DescribeImages over the seeded images, so a demo page can list what there is to export.
import { IMAGES } from './account.js';
import { checkParams } from './params.js';

const SCHEMA = { ImageIds: 'string[]', Filters: 'filters', Offset: 'integer', Limit: 'integer', InstanceType: 'string' };

// Filter name → the image field it matches (exact, any of the values).
const FILTERS = { 'image-id': 'ImageId', 'image-type': 'ImageType', 'image-name': 'ImageName', platform: 'Platform' };

/** An image as the API describes it (no emulator-only fields). */
export function describeImage(image, index) {
  return {
    ImageId: image.ImageId,
    OsName: image.OsName,
    ImageType: image.ImageType,
    CreatedTime: new Date(Date.UTC(2024, 0, 1 + index, 8)).toISOString().replace('.000Z', '+00:00'),
    ImageName: image.ImageName,
    ImageDescription: `tc3-edge emulator seed image ${image.ImageName}`,
    ImageSize: image.ImageSize,
    Architecture: image.Architecture,
    ImageState: image.ImageState,
    Platform: image.Platform,
    ImageCreator: image.ImageType === 'PRIVATE_IMAGE' ? '100000000001' : '',
    ImageSource: image.ImageSource ?? 'CREATE_IMAGE',
    SyncPercent: image.ImageState === 'SYNCING' ? 40 : null,
    IsSupportCloudinit: true,
    SnapshotSet: [
      { SnapshotId: image.SystemSnapshot, DiskUsage: 'SYSTEM_DISK', DiskSize: image.ImageSize },
      ...image.DataSnapshots.map((s) => ({ SnapshotId: s, DiskUsage: 'DATA_DISK', DiskSize: 100 })),
    ],
    Tags: [],
    LicenseType: 'TencentCloud',
    ImageFamily: '',
    ImageDeprecated: false,
  };
}

export function describeImages(params, { fromQuery }) {
  const error = checkParams(params, SCHEMA, { fromQuery });
  if (error) return { error };
  const { ImageIds, Filters = [], Offset = 0, Limit = 20 } = params;
  const bad = ImageIds?.find((id) => !/^img-[a-z0-9]{8}$/.test(id));
  if (bad !== undefined) return { error: { code: 'InvalidImageId.Malformed', message: `Invalid image id \`${bad}\`.` } };
  const unknown = Filters.find((f) => !(f.Name in FILTERS));
  if (unknown) return { error: { code: 'InvalidFilter', message: `Unsupported filter \`${unknown.Name}\`.` } };
  if (Offset < 0 || Limit < 0 || Limit > 100) {
    return { error: { code: 'InvalidParameterValue', message: 'Offset must be >= 0 and Limit between 0 and 100.' } };
  }
  const all = IMAGES.map(describeImage).filter((img) =>
    (!ImageIds || ImageIds.includes(img.ImageId)) && Filters.every((f) => f.Values.includes(img[FILTERS[f.Name]])));
  return { data: { TotalCount: all.length, ImageSet: all.slice(Offset, Offset + Limit) } };
}
