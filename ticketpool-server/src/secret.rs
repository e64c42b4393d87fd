//! Secrets: random tokens and hold ids from the operating system's
//! generator, and the SHA-256 hash a token is stored as.

use sha2::{Digest, Sha256};

/// A token's stored form: its SHA-256 hash.
pub(crate) type TokenHash = [u8; 32];

/// `N` random bytes from the OS, as lowercase hex.
///
/// # Errors
///
/// The OS generator failed (it does not, on any supported system; the
/// caller answers 500 rather than hand out a weak secret).
pub(crate) fn random_hex<const N: usize>() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// A new bearer token: 256 random bits, as 64 hex digits.
pub(crate) fn new_token() -> Result<String, getrandom::Error> {
    random_hex::<32>()
}

/// The hash a token is stored and looked up by.
pub(crate) fn hash_token(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_hex_and_differ() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }
}
