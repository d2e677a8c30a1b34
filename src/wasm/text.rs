//! Strings from JS into wasm without wasm-bindgen's copy loop.
//!
//! wasm-bindgen hands a JS string to wasm by copying it one char code at a time in JS; for the
//! few hundred bytes of a packed signing input or a JSON body that loop cost more than the
//! hashing. Here JS writes the string with the native `TextEncoder.encodeInto` straight into a
//! buffer wasm owns (src/wasm/js.rs: `writeString`).

use std::cell::Cell;

use super::js;

thread_local! {
    static MEMORY_SHARED: Cell<bool> = const { Cell::new(false) };
}

/// What a writer returns for a value that has no text form (`JSON.stringify` threw or gave
/// `undefined`).
const NOT_TEXT: i32 = -1;

/// Has `write(ptr, capacity)` put a string into `buffer`, growing it when JS answers
/// -(bytes needed) and fetching the string JS kept with `writePending`. Returns the length
/// written, or `None` for [`NOT_TEXT`].
///
/// `buffer` is used at `len == capacity` and zero-filled, so JS only ever writes into
/// initialised memory; the bytes past the returned length are whatever an earlier call left
/// (callers holding secrets wipe what they read).
pub fn read_into(buffer: &mut Vec<u8>, write: impl FnOnce(*mut u8, usize) -> i32) -> Option<usize> {
    if !MEMORY_SHARED.with(Cell::get) {
        js::set_memory(&wasm_bindgen::memory());
        MEMORY_SHARED.with(|shared| shared.set(true));
    }
    let mut answer = write(buffer.as_mut_ptr(), buffer.len());
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
                buffer.resize(needed, 0);
                answer = js::write_pending(buffer.as_mut_ptr(), buffer.len());
            }
        }
    }
}
