#![no_main]
//! Team template files (TOML) over arbitrary text: never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = hindsight_import::template_file::parse(text);
});
