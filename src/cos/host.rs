//! The hosts of a bucket (a leaf: the signer signs for them, `url` sends to them).

use crate::text::Cat;

/// The real COS host of a bucket: `<Bucket>.cos.<Region>.myqcloud.com`.
#[cfg_attr(tc3_size, optimize(size))]
pub fn cos_host(bucket: &str, region: &str) -> String {
    [bucket, ".cos.", region, ".myqcloud.com"].cat()
}

/// The bucket's alternate host `<Bucket>.cos.<Region>.tencentcos.cn`: the same bucket under a
/// second domain, where cos-js-sdk-v5 switches when `myqcloud.com` cannot be reached.
#[cfg_attr(tc3_size, optimize(size))]
pub fn cos_alternate_host(bucket: &str, region: &str) -> String {
    [bucket, ".cos.", region, ".tencentcos.cn"].cat()
}
