//! The back office's public key as a municipality publishes it (`encryption-key`, a JWK file):
//! what makes it usable (a public RSA key of at least [`MIN_RSA_BITS`] bits). The lint checks
//! the file, the registry carries it to the function, and the function measures it again.

/// The smallest RSA modulus accepted for `encryption-key` (FIT-Connect requires 4096 bits).
pub const MIN_RSA_BITS: usize = 4096;

/// Reads an `encryption-key` file and checks it with [`public_rsa_jwk`].
pub fn read_public_rsa_jwk(path: &std::path::Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    public_rsa_jwk(&value)?;
    Ok(value)
}

/// Bits of an RSA JWK's modulus `n` (base64url; leading zero bytes not counted). The lint and
/// the function both measure keys with this, against [`MIN_RSA_BITS`].
pub fn rsa_modulus_bits(jwk: &serde_json::Value) -> Result<usize, String> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    // Lenient as JWK readers are: padding or none, unused bits in the last digit ignored.
    const BASE64URL: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let n = jwk
        .get("n")
        .and_then(serde_json::Value::as_str)
        .ok_or("no modulus \"n\"")?;
    let bytes = BASE64URL.decode(n).map_err(|_| "\"n\" is not base64url")?;
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let rest = &bytes[first..];
    Ok(match rest.first() {
        None => 0,
        Some(top) => (rest.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    })
}

/// Checks that `jwk` is a public RSA JWK (`kty` RSA, `n` and `e`, no private `d`) of at least
/// [`MIN_RSA_BITS`] bits; returns the modulus size. (The function checks the key once more
/// with its crypto library at start.)
pub fn public_rsa_jwk(jwk: &serde_json::Value) -> Result<usize, String> {
    let field = |name: &str| jwk.get(name).and_then(serde_json::Value::as_str);
    if field("kty") != Some("RSA") {
        return Err("not an RSA JWK (\"kty\" must be \"RSA\")".into());
    }
    if jwk.get("d").is_some() {
        return Err("this is a private key; publish only the public key (without \"d\")".into());
    }
    let (Some(_n), Some(_e)) = (field("n"), field("e")) else {
        return Err("the JWK needs \"n\" and \"e\"".into());
    };
    let bits = rsa_modulus_bits(jwk)?;
    if bits < MIN_RSA_BITS {
        return Err(format!(
            "the RSA key has {bits} bits; at least {MIN_RSA_BITS} are required"
        ));
    }
    Ok(bits)
}
