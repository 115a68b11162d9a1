#![no_main]
//! `pagerduty::verify_signature` over an arbitrary secret, header and body. The input is
//! `[n][n bytes of secret][header up to the first \n][\n][body]`. Never panics; with a non-empty
//! secret, the right `v1=` signature is accepted alone and after whatever the header held, and a
//! wrong one (one bit flipped) is refused.

use hindsight_import::pagerduty::verify_signature;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let (secret, rest) = rest.split_at(usize::from(n).min(rest.len()));
    let (header, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let header = String::from_utf8_lossy(header);
    let verdict = verify_signature(secret, body, &header);
    if secret.is_empty() {
        assert!(verdict.is_err(), "an empty secret accepted");
        return;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(body);
    let mut signature = mac.finalize().into_bytes().to_vec();
    let right = format!("v1={}", hex::encode(&signature));
    assert_eq!(
        verify_signature(secret, body, &right),
        Ok(()),
        "the right signature refused"
    );
    assert_eq!(
        verify_signature(secret, body, &format!("{header},{right}")),
        Ok(()),
        "the right signature refused after {header:?}"
    );
    signature[usize::from(n) % 32] ^= 1 << (n % 8);
    let wrong = format!("v1={}", hex::encode(&signature));
    assert!(
        verify_signature(secret, body, &wrong).is_err(),
        "a wrong signature accepted"
    );
});
