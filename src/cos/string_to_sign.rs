//! Stage 2: the string to sign.
//!
//! ```text
//! StringToSign = "sha1" "\n" KeyTime "\n" hex(SHA1(HttpString)) "\n"
//! ```

use sha1::{Digest, Sha1};

use super::request::KeyTime;

/// `q-sign-algorithm`: the only one COS's XML API signature has.
pub const ALGORITHM: &str = "sha1";

/// Lowercase hex SHA-1.
#[cfg_attr(tc3_size, optimize(size))]
pub fn sha1_hex(data: &[u8]) -> String {
    crate::text::hex(&Sha1::digest(data))
}

/// Builds the string to sign for an HttpString.
#[cfg_attr(tc3_size, optimize(size))]
pub fn build(key_time: KeyTime, http_string: &str) -> String {
    let mut s = String::with_capacity(4 + 1 + 21 + 1 + 40 + 1);
    s.push_str(ALGORITHM);
    s.push('\n');
    key_time.write_to(&mut s);
    s.push('\n');
    crate::text::push_hex(&mut s, &Sha1::digest(http_string.as_bytes()));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_of_known_inputs() {
        // FIPS 180 examples.
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }

    #[test]
    fn layout() {
        let t = KeyTime::new(1_557_989_151, 3600).unwrap();
        assert_eq!(
            build(t, ""),
            "sha1\n1557989151;1557992751\nda39a3ee5e6b4b0d3255bfef95601890afd80709\n"
        );
    }
}
