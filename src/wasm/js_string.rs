//! Strings from JS into wasm without wasm-bindgen's copy loop.
//!
//! wasm-bindgen hands a JS string to wasm by copying it one char code at a time in JS; for the
//! few hundred bytes of a packed signing input or a JSON body that loop cost more than the
//! hashing. Here JS writes the string with the native `TextEncoder.encodeInto` straight into a
//! buffer wasm owns (src/wasm/js.rs: `writeString`).

use wasm_bindgen::JsValue;

use super::js;

thread_local! {
    /// This instance's `WebAssembly.Memory`, passed to every writer (see src/wasm/js.rs:
    /// two instances may share the snippet, so it cannot keep one memory for all).
    static MEMORY: JsValue = wasm_bindgen::memory();
}

/// What a writer returns for a value that has no text form (`JSON.stringify` threw or gave
/// `undefined`).
const NOT_TEXT: i32 = -1;

/// Has `write(memory, ptr, capacity)` put a string into `buffer`, growing it when JS answers
/// -(bytes needed) and fetching the string JS kept with `writePending`. Returns the length
/// written, or `None` for [`NOT_TEXT`].
///
/// `buffer` is used at `len == capacity` and zero-filled, so JS only ever writes into
/// initialised memory. A partial write is wiped before the buffer grows; callers holding
/// secrets wipe the returned length after use, which keeps a reused buffer all zeros.
pub fn read_into(buffer: &mut Vec<u8>, write: impl FnOnce(&JsValue, *mut u8, usize) -> i32) -> Option<usize> {
    MEMORY.with(|memory| {
        let mut answer = write(memory, buffer.as_mut_ptr(), buffer.len());
        loop {
            match usize::try_from(answer) {
                Ok(len) if len <= buffer.len() => return Some(len),
                Ok(_) => return None, // never: encodeInto writes at most the capacity given
                Err(_) if answer == NOT_TEXT => return None,
                Err(_) => {
                    let needed = answer.unsigned_abs() as usize;
                    if needed <= buffer.len() {
                        return None; // never: encodeInto needs at most 3 bytes per UTF-16 unit
                    }
                    // encodeInto wrote as much as fitted: wipe it before the old block is freed
                    // (the packed signing input starts with the credentials).
                    crate::wipe::wipe_bytes(buffer);
                    buffer.resize(needed, 0);
                    answer = js::write_pending(memory, buffer.as_mut_ptr(), buffer.len());
                }
            }
        }
    })
}
