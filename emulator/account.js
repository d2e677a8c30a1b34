// The one seeded test account the emulator serves. Every value here is a test value:
// none of these keys works against the real Tencent Cloud API.
// Each "bad" image, bucket or role exists to make ExportImages answer one specific error code
// (README.md has the table); keep the two in step.

export const APP_ID = '1250000000';

/**
 * Keys. `token` marks a temporary key: requests with it must carry X-TC-Token equal to it;
 * `snapshotIds` a key that may use ExportImages' SnapshotIds.
 */
export const CREDENTIALS = {
  permanent: {
    secretId: 'AKIDtc3edgeEmulator0000000000000000001',
    secretKey: 'tc3edgeEmulatorSecretKey00000000001',
  },
  temporary: {
    secretId: 'AKIDtc3edgeEmulatorTemp000000000000002',
    secretKey: 'tc3edgeEmulatorTempSecretKey0000002',
    token: 'tc3edge-emulator-session-token-0002',
  },
  // An account let into the SnapshotIds preview ("not open to the public" in the API doc): only
  // its requests may use SnapshotIds; for every other key the field is UnknownParameter.
  snapshotPreview: {
    secretId: 'AKIDtc3edgeEmulatorSnap000000000000003',
    secretKey: 'tc3edgeEmulatorSnapSecretKey0000003',
    snapshotIds: true,
  },
  // The published example key of tc3-vectors.json, so a vector's exact request can be replayed
  // (with startEmulator({ clock }) set to the vector's timestamp).
  vectors: {
    secretId: 'AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE12',
    secretKey: 'EXAMPLEKEYEXAMPLEKEYEXAMPLEKEY12',
  },
};

/** Tokens a permanent key may also send (it is then accepted); any other token is TokenFailure. */
export const KNOWN_TOKENS = [CREDENTIALS.temporary.token, 'temporary-session-token-EXAMPLE'];

export const REGIONS = [
  'ap-guangzhou', 'ap-shanghai', 'ap-beijing', 'ap-chengdu', 'ap-hongkong',
  'ap-singapore', 'ap-shanghai-fsi', 'ap-shenzhen-fsi', 'na-siliconvalley', 'eu-frankfurt',
];

/** Images larger than this (GB) answer UnsupportedOperation.ImageTooLargeExportUnsupported. */
export const MAX_EXPORT_IMAGE_GB = 500;

const linux = (id, osName, snaps, extra = {}) => ({
  ImageId: id, OsName: osName, Platform: osName.split(' ')[0], ImageType: 'PRIVATE_IMAGE',
  ImageSize: 50, Architecture: 'x86_64', ImageState: 'NORMAL', SystemSnapshot: snaps[0],
  DataSnapshots: snaps.slice(1), ...extra,
});

// `why` is what makes an image fail, for the README and the ledger; `rule` is the flag export checks.
export const IMAGES = [
  // Exportable.
  linux('img-pq5pau1w', 'CentOS 7.9 64bit', ['snap-fiux4bof'], { ImageName: 'web-server-golden' }),
  linux('img-72n9mi0y', 'Ubuntu Server 22.04 LTS 64bit', ['snap-72n9sys0', 'snap-72n9dat1'], { ImageName: 'app-with-data' }),
  linux('img-abcd1234', 'Debian 12.0 64bit', ['snap-abcdsys0', 'snap-abcddat1', 'snap-abcddat2'], { ImageName: 'db-two-disks' }),
  linux('img-0000ffff', 'TencentOS Server 3.1 (TK4)', ['snap-0000fsys'], { ImageName: 'tencentos-base' }),
  linux('img-arm64001', 'TencentOS Server 4 for ARM64', ['snap-arm6sys0'], { ImageName: 'arm-build-box', Architecture: 'arm64' }),
  // Each refused for one reason.
  linux('img-win2019a', 'Windows Server 2019 DataCenter 64bit', ['snap-win1sys0'], { Platform: 'Windows', ImageName: 'windows-ad', rule: 'windows' }),
  linux('img-rhel0008', 'Red Hat Enterprise Linux 8.6 64bit', ['snap-rhelsys0'], { Platform: 'RedHat', ImageName: 'rhel-licensed', rule: 'redhat' }),
  linux('img-pub0ubnt', 'Ubuntu Server 20.04 LTS 64bit', ['snap-pubusys0'], { ImageType: 'PUBLIC_IMAGE', ImageName: 'Ubuntu Server 20.04 LTS 64bit', rule: 'public' }),
  linux('img-market01', 'CentOS 7.6 64bit', ['snap-mkt1sys0'], { ImageType: 'MARKET_IMAGE', ImageName: 'LAMP stack (marketplace)', rule: 'public' }),
  linux('img-shared01', 'Debian 11.0 64bit', ['snap-shr1sys0'], { ImageType: 'SHARED_IMAGE', ImageName: 'shared-by-partner', rule: 'shared' }),
  linux('img-mkt00001', 'CentOS 7.6 64bit', ['snap-mkt0sys0'], { ImageName: 'custom-from-marketplace', ImageSource: 'MARKET', rule: 'marketDerived' }),
  linux('img-encrypt1', 'CentOS 8.2 64bit', ['snap-encrsys0'], { ImageName: 'encrypted-disk', Encrypted: true, rule: 'encrypted' }),
  linux('img-huge2tb0', 'CentOS 7.9 64bit', ['snap-hugesys0', 'snap-hugedat1'], { ImageName: 'two-terabytes', ImageSize: 2048, rule: 'tooLarge' }),
  linux('img-busy0001', 'Ubuntu Server 22.04 LTS 64bit', ['snap-busysys0'], { ImageName: 'copying-to-region', ImageState: 'SYNCING', rule: 'busy' }),
  linux('img-noexp001', 'CentOS 7.9 64bit', ['snap-noexsys0'], { ImageName: 'bare-metal-cpm', ImageSource: 'CPM', rule: 'unsupported' }),
  linux('img-kylin010', 'Kylin V10 SP1 64bit', ['snap-kyl1sys0'], { ImageName: 'kylin-beijing-only', OsRegions: ['ap-beijing'], rule: 'osRegion' }),
];

/** Snapshots SnapshotIds may name: every image's snapshots plus one standalone data-disk snapshot. */
export const STANDALONE_SNAPSHOTS = ['snap-data0001'];

export const BUCKETS = {
  // Writable (the first two appear in the API documentation and in tc3-vectors.json).
  [`test-bucket-${APP_ID}`]: { writable: true },
  [`backup-${APP_ID}`]: { writable: true },
  [`b-${APP_ID}`]: { writable: true },
  [`images-${APP_ID}`]: { writable: true },
  // The role may read but not write it.
  [`readonly-${APP_ID}`]: { writable: false },
  // Its export queue is full: every export to it answers LimitExceeded.ExportImageTaskLimitExceeded.
  [`queue-full-${APP_ID}`]: { writable: true, queueFull: true },
};

/** CAM roles that may write COS. ExportImages defaults RoleName to CVM_QcsRole. */
export const ROLES = ['CVM_QcsRole', 'COS_ExportRole'];
