//! Wiping secrets from memory before it is freed.
//!
//! `zeroize` does this with one volatile store per byte. A signature passes the SecretKey
//! and token through ~2 KB of buffers (the packed JS input, the packed output, the header
//! values), and byte-wise wiping of them measured ≈ 9 % of `signRequest`'s time in a V8
//! profile. This module writes whole 8-byte words instead — still volatile, so the optimiser
//! cannot drop them as dead stores before the free — and is the only place with `unsafe`.
#![allow(unsafe_code)]

use core::ops::Deref;
use core::ptr::write_volatile;
use core::sync::atomic::{compiler_fence, Ordering};

/// Zeroes `len` bytes from `p`: bytes up to the first 8-byte boundary, then words, then the
/// remaining bytes.
///
/// # Safety
/// `p..p+len` must be writable memory owned by the caller (initialised or not).
unsafe fn wipe_raw(p: *mut u8, len: usize) {
    let mut i = 0;
    while i < len && (p as usize + i) % 8 != 0 {
        write_volatile(p.add(i), 0);
        i += 1;
    }
    while i + 8 <= len {
        // Aligned by the loop above.
        write_volatile(p.add(i) as *mut u64, 0);
        i += 8;
    }
    while i < len {
        write_volatile(p.add(i), 0);
        i += 1;
    }
    compiler_fence(Ordering::SeqCst);
}

/// Zeroes every byte a vector owns (its whole capacity, not only its length) and empties it.
pub fn wipe_vec(v: &mut Vec<u8>) {
    let capacity = v.capacity();
    v.clear();
    // SAFETY: the allocation is `capacity` bytes long and owned by `v`; writing through a raw
    // pointer does not read the (now uninitialised) bytes.
    unsafe { wipe_raw(v.as_mut_ptr(), capacity) }
}

/// [`wipe_vec`] for a string.
pub fn wipe_string(s: &mut String) {
    // SAFETY: the vector is emptied, which leaves valid UTF-8 (none).
    wipe_vec(unsafe { s.as_mut_vec() })
}

/// Zeroes a slice of initialised bytes.
pub fn wipe_bytes(bytes: &mut [u8]) {
    // SAFETY: the slice is borrowed mutably for the call.
    unsafe { wipe_raw(bytes.as_mut_ptr(), bytes.len()) }
}

/// Zeroes a fixed-size array (derived keys).
pub fn wipe_array<const N: usize>(a: &mut [u8; N]) {
    // SAFETY: the array is N initialised bytes borrowed mutably.
    unsafe { wipe_raw(a.as_mut_ptr(), N) }
}

/// Bytes of stack [`scrub_stack`] overwrites: far more than the frames of a key derivation
/// (HMAC key hashing and compression, a few hundred bytes each).
const STACK_SCRUB: usize = 16 * 1024;

/// Overwrites the stack just below the caller's frame, where the functions it called kept
/// their locals. Hashing a SecretKey longer than a SHA-256 block (HMAC hashes such keys)
/// leaves its last partial block in a stack buffer that no destructor wipes; in wasm that
/// stack is linear memory that any JS holding the module can read. Cheap enough for the
/// once-a-day key derivation, not meant for every request.
#[inline(never)]
pub fn scrub_stack() {
    let mut area = [0u8; STACK_SCRUB];
    wipe_bytes(&mut area);
    core::hint::black_box(&area);
}

/// A value that may hold a secret: wiped (whole capacity) when dropped.
///
/// The value is private and only readable (`Deref`, no `DerefMut`): a `&mut String` would let
/// a `reserve`, a `write!` or a `mem::take` move the secret into a new block and free the old
/// one unwiped. Growth goes through [`Wiping::push_str`] / [`Wiping::extend_from_slice`],
/// which move and wipe.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Wiping<T: Wipe>(T);

impl<T: Wipe> Wiping<T> {
    /// Takes ownership of `value` (wiped when this is dropped).
    pub fn new(value: T) -> Self {
        Wiping(value)
    }
}

/// What [`Wiping`] can hold.
pub trait Wipe {
    /// Zeroes the value's memory.
    fn wipe(&mut self);
}

impl Wipe for String {
    fn wipe(&mut self) {
        wipe_string(self)
    }
}

impl Wipe for Vec<u8> {
    fn wipe(&mut self) {
        wipe_vec(self)
    }
}

impl<T: Wipe> Wipe for Option<T> {
    fn wipe(&mut self) {
        if let Some(v) = self {
            v.wipe()
        }
    }
}

impl Wiping<String> {
    /// Appends `s`. A plain `String` that outgrows its allocation frees the old block without
    /// wiping it; here a full buffer moves to a larger one and the old block is wiped first.
    /// (Inherent, so it is what `.push_str` on a `Wiping<String>` calls, not `String`'s.)
    pub fn push_str(&mut self, s: &str) {
        if self.0.capacity() - self.0.len() < s.len() {
            let mut larger = String::with_capacity((self.0.len() + s.len()).max(2 * self.0.capacity()));
            larger.push_str(&self.0);
            wipe_string(&mut self.0);
            self.0 = larger;
        }
        self.0.push_str(s);
    }

    /// Appends `c` (see [`Wiping::push_str`]).
    pub fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }
}

impl Wiping<Vec<u8>> {
    /// Appends `bytes`, moving to a larger block (and wiping the old one) when full — see
    /// [`Wiping::push_str`].
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        if self.0.capacity() - self.0.len() < bytes.len() {
            let mut larger = Vec::with_capacity((self.0.len() + bytes.len()).max(2 * self.0.capacity()));
            larger.extend_from_slice(&self.0);
            wipe_vec(&mut self.0);
            self.0 = larger;
        }
        self.0.extend_from_slice(bytes);
    }
}

impl<T: Wipe> Drop for Wiping<T> {
    fn drop(&mut self) {
        self.0.wipe()
    }
}

impl<T: Wipe> Deref for Wiping<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wipes_every_length_and_alignment() {
        for len in 0..40 {
            for offset in 0..8 {
                let mut buf = vec![0xAAu8; 48];
                // SAFETY (test): the range lies inside `buf`.
                unsafe { wipe_raw(buf.as_mut_ptr().add(offset), len) };
                for (i, b) in buf.iter().enumerate() {
                    let inside = i >= offset && i < offset + len;
                    assert_eq!(*b == 0, inside, "len {len} offset {offset} byte {i}");
                }
            }
        }
    }

    #[test]
    fn a_wiping_string_grows_by_moving_not_by_reallocating_in_place() {
        let mut s = Wiping::new(String::with_capacity(4));
        s.push_str("tok");
        let first = s.as_ptr();
        s.push_str("en-secret");
        // The new block was allocated while the old one was still held, so it differs.
        assert_ne!(s.as_ptr(), first, "a full buffer moved to a new allocation");
        s.push('!');
        assert_eq!(s.as_str(), "token-secret!");
        assert!(s.capacity() >= 13);
    }

    #[test]
    fn a_wiping_vec_grows_by_moving_too() {
        let mut v = Wiping::new(Vec::with_capacity(2));
        v.extend_from_slice(b"TC");
        let first = v.as_ptr();
        v.extend_from_slice(b"3secret");
        assert_ne!(v.as_ptr(), first);
        assert_eq!(v.as_slice(), b"TC3secret");
    }

    #[test]
    fn wipes_the_whole_capacity_of_a_string() {
        let mut s = String::with_capacity(64);
        s.push_str("secret-key-material-secret-key-material");
        s.truncate(6); // the tail still holds secret bytes in the spare capacity
        let (ptr, cap) = (s.as_ptr(), s.capacity());
        wipe_string(&mut s);
        assert!(s.is_empty());
        assert_eq!(s.as_ptr(), ptr, "the allocation is kept");
        // SAFETY (test): reading the allocation `s` still owns, all of it written above.
        let bytes = unsafe { core::slice::from_raw_parts(ptr, cap) };
        assert!(bytes.iter().all(|&b| b == 0));
    }
}
