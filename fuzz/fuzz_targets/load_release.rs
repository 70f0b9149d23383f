//! A release's file (front-matter and Markdown), whatever its bytes, through the load stage:
//! `communique::fuzzing` says what must hold.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

static FIXTURE: OnceLock<communique::fuzzing::Fixture> = OnceLock::new();

fuzz_target!(|bytes: &[u8]| {
    FIXTURE.get_or_init(Default::default).load_release(bytes);
});
