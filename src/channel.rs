//! The channel between the wasm module and its JS drivers (js/channel.js): the slots of the io
//! header both sides read and write, the action codes wasm answers with, the event codes JS
//! reports, and the kinds of call `__start` takes. This is their one source: js/codes.js is
//! generated from it (`TC3_BLESS=1 cargo test --test channel`), and that test fails when the
//! two disagree.

/// Declares a group of codes as constants, plus the list the JS file is generated from.
macro_rules! codes {
    ($(#[$doc:meta])* $group:ident: $ty:ty, $prefix:literal { $($(#[$d:meta])* $name:ident = $value:literal,)* }) => {
        $(#[$doc])*
        pub mod $group {
            $($(#[$d])* pub const $name: $ty = $value as $ty;)*
            /// The JS names' prefix.
            pub const PREFIX: &str = $prefix;
            /// Every code of the group, by name (what js/codes.js holds).
            pub const ALL: &[(&str, u32)] = &[$((stringify!($name), $value as u32),)*];
        }
    };
}

codes! {
    /// Slots of the io header: f64s in wasm memory (a Float64Array in JS).
    io: usize, "IO_" {
        /// The action of the last step.
        CODE = 0,
        /// `WAIT`: ms; `SEND`: header count; providers: the provider call's id.
        NUMBER = 1,
        /// The action's text (UTF-8) …
        OUT_PTR = 2,
        /// … and its length.
        OUT_LEN = 3,
        /// Where JS writes event text …
        IN_PTR = 4,
        /// … and how much fits.
        IN_CAP = 5,
        /// The call's (or wait's) id, set when it starts.
        CALL = 6,
        /// `SEND` and providers: the bound of the wait, ms.
        TIMEOUT = 7,
        /// Written by JS before each call into wasm: `performance.now()` …
        MONO = 8,
        /// … `Date.now()` …
        WALL = 9,
        /// … and `Math.random()`.
        RANDOM = 10,
        /// At a call's end: attempts sent …
        ATTEMPTS = 11,
        /// … and backoff waited (ms).
        RETRY_DELAY = 12,
        /// `SEND`: 1 to send to `httpProfile.backupEndpoint`.
        BACKUP = 13,
        /// How many slots there are.
        SLOTS = 14,
    }
}

codes! {
    /// What wasm asks the driver to do (the io header's `CODE`).
    action: f64, "" {
        /// Nothing (the call or wait has already settled).
        IDLE = 0,
        /// Call the credential provider.
        CALL_PROVIDER = 1,
        /// Await the provider call in flight.
        JOIN_PROVIDER = 2,
        /// Sleep `NUMBER` ms.
        WAIT = 3,
        /// Send the request in the out buffer.
        SEND = 4,
        /// Settled: the result's text.
        DONE = 5,
        /// Settled: the error's text.
        FAILED = 6,
        /// Ask the shared limiter (`rateLimit.acquire`).
        ACQUIRE = 7,
        /// Wait for a slot of the client's own limiter (woken when one is given back).
        WAIT_FOR_SLOT = 8,
        /// Hand `onProgress` the report in the out buffer.
        PROGRESS = 9,
    }
}

codes! {
    /// What happened, reported by the driver (`__step`, `__waitStep`).
    event: u32, "EV_" {
        /// The sleep ended.
        ELAPSED = 1,
        /// An answer arrived (`number`: its status).
        RESPONSE = 2,
        /// No answer (`number` 1: its bound passed).
        FAILED = 3,
        /// The caller's AbortSignal fired.
        ABORTED = 4,
        /// The provider did not answer in time (`number`: the provider call).
        PROVIDER_TIMEOUT = 5,
        /// The shared limiter granted a slot.
        ACQUIRED = 6,
        /// The shared limiter failed (`number` 1: not within its bound; else the text says why).
        ACQUIRE_FAILED = 7,
        /// A `WAIT_FOR_SLOT` was cut short: a slot was given back.
        WAKE = 8,
        /// The joined provider call was given up by its starter (`number`: its id).
        PROVIDER_GONE = 9,
        /// The progress report was delivered.
        CONTINUE = 10,
    }
}

codes! {
    /// What `__start` starts.
    kind: u32, "KIND_" {
        /// `ExportImages`: the parameters' JSON.
        EXPORT = 0,
        /// `request`: `action NUL payload-JSON`.
        REQUEST = 1,
        /// `request` whose payload has no JSON form.
        REQUEST_NOT_JSON = 2,
    }
}

/// js/codes.js: every code above as an exported JS constant (`IO_CODE`, `SEND`, `EV_ELAPSED`…).
pub fn js_module() -> String {
    let mut s =
        String::from("// Generated from src/channel.rs by `TC3_BLESS=1 cargo test --test channel`: do not edit.\n");
    for (prefix, all) in [
        (io::PREFIX, io::ALL),
        (action::PREFIX, action::ALL),
        (event::PREFIX, event::ALL),
        (kind::PREFIX, kind::ALL),
    ] {
        for (name, value) in all {
            s.push_str("export const ");
            s.push_str(prefix);
            s.push_str(name);
            s.push_str(" = ");
            crate::text::push_u64(&mut s, u64::from(*value));
            s.push_str(";\n");
        }
    }
    s
}
