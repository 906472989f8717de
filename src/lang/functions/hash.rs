//! Hash and crypto functions: digests of strings and files, bcrypt, UUIDs.

use super::filesystem::read_file;
use super::{arg_err, arg_int, arg_str, call_err, p, spec, t_str};
use super::{FnResult, FunctionContext, Spec, Value, P};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

pub(super) const SPECS: &[Spec] = &[
    spec("md5", &[p("str", P::Str)], t_str, |a, _| {
        hex_of::<Md5>(arg_str(a, 0).as_bytes())
    }),
    spec("sha1", &[p("str", P::Str)], t_str, |a, _| {
        hex_of::<Sha1>(arg_str(a, 0).as_bytes())
    }),
    spec("sha256", &[p("str", P::Str)], t_str, |a, _| {
        hex_of::<Sha256>(arg_str(a, 0).as_bytes())
    }),
    spec("sha512", &[p("str", P::Str)], t_str, |a, _| {
        hex_of::<Sha512>(arg_str(a, 0).as_bytes())
    }),
    spec("base64sha256", &[p("str", P::Str)], t_str, |a, _| {
        b64_of::<Sha256>(arg_str(a, 0).as_bytes())
    }),
    spec("base64sha512", &[p("str", P::Str)], t_str, |a, _| {
        b64_of::<Sha512>(arg_str(a, 0).as_bytes())
    }),
    spec("filemd5", &[p("path", P::Str)], t_str, |a, c| {
        hex_of::<Md5>(&read_file(a, c)?)
    }),
    spec("filesha1", &[p("path", P::Str)], t_str, |a, c| {
        hex_of::<Sha1>(&read_file(a, c)?)
    }),
    spec("filesha256", &[p("path", P::Str)], t_str, |a, c| {
        hex_of::<Sha256>(&read_file(a, c)?)
    }),
    spec("filesha512", &[p("path", P::Str)], t_str, |a, c| {
        hex_of::<Sha512>(&read_file(a, c)?)
    }),
    spec("filebase64sha256", &[p("path", P::Str)], t_str, |a, c| {
        b64_of::<Sha256>(&read_file(a, c)?)
    }),
    spec("filebase64sha512", &[p("path", P::Str)], t_str, |a, c| {
        b64_of::<Sha512>(&read_file(a, c)?)
    }),
    spec("bcrypt", &[p("str", P::Str)], t_str, bcrypt_fn).var(p("cost", P::Num)),
    spec("uuid", &[], t_str, |_, _| {
        Ok(Value::String(uuid::Uuid::new_v4().to_string()))
    }),
    spec(
        "uuidv5",
        &[p("namespace", P::Str), p("name", P::Str)],
        t_str,
        uuidv5,
    ),
    spec(
        "rsadecrypt",
        &[p("ciphertext", P::Str), p("privatekey", P::Str)],
        t_str,
        rsadecrypt,
    ),
];

fn hex_of<D: Digest>(data: &[u8]) -> FnResult {
    Ok(Value::String(hex::encode(D::digest(data))))
}

fn b64_of<D: Digest>(data: &[u8]) -> FnResult {
    Ok(Value::String(STANDARD.encode(D::digest(data))))
}

/// `bcrypt(str, cost = 10)`: a salted hash in the `$2a$` format, like Go's bcrypt
/// (costs below 4 fall back to the default, as Go does).
fn bcrypt_fn(args: &[Value], _: &FunctionContext) -> FnResult {
    if args.len() > 2 {
        return Err(call_err(format!(
            "bcrypt() takes no more than two arguments, got {}",
            args.len()
        )));
    }
    let mut cost = if args.len() == 2 {
        arg_int(args, 1)?
    } else {
        10
    };
    if cost < 4 {
        cost = 10;
    }
    if cost > 31 {
        return Err(call_err(format!(
            "error occured generating password crypto/bcrypt: cost {cost} is outside allowed range (4,31)"
        )));
    }
    let parts = bcrypt::hash_with_result(arg_str(args, 0), cost as u32)
        .map_err(|e| call_err(format!("error occured generating password {e}")))?;
    Ok(Value::String(
        parts.format_for_version(bcrypt::Version::TwoA),
    ))
}

fn uuidv5(args: &[Value], _: &FunctionContext) -> FnResult {
    let ns_name = arg_str(args, 0);
    let namespace = match ns_name {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => uuid::Uuid::parse_str(other)
            .map_err(|e| call_err(format!("uuidv5() doesn't support namespace {other} ({e})")))?,
    };
    Ok(Value::String(
        uuid::Uuid::new_v5(&namespace, arg_str(args, 1).as_bytes()).to_string(),
    ))
}

/// RSA decryption needs an RSA implementation skyform does not carry; say so clearly
/// after the same input checks Terraform makes first.
fn rsadecrypt(args: &[Value], _: &FunctionContext) -> FnResult {
    let ciphertext = arg_str(args, 0);
    if STANDARD.decode(ciphertext).is_err() {
        return Err(arg_err(
            0,
            format!("failed to decode input {ciphertext:?}: cipher text must be base64-encoded"),
        ));
    }
    Err(call_err(
        "rsadecrypt is not supported by skyform; decrypt the value outside the configuration and pass it in as a sensitive variable",
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn digests_match_terraform() {
        assert_eq!(
            ok("sha256", vec![s("hello world")]),
            s("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        );
        assert_eq!(
            ok("sha256", vec![s("é")]),
            s("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c")
        );
        // NFC: a decomposed é hashes like the composed one.
        assert_eq!(
            ok("sha256", vec![s("e\u{301}")]),
            s("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c")
        );
        assert_eq!(
            ok("md5", vec![s("hi")]),
            s("49f68a5c8493ec2c0bf489821c21fc3b")
        );
        assert_eq!(
            ok("sha1", vec![s("hi")]),
            s("c22b5f9178342609428d6f51b2c5af4c0bde6a42")
        );
        assert_eq!(
            ok("base64sha256", vec![s("hi")]),
            s("j0NDRmSPa5bfid2pAcUXaxCm2Dlh3TwayItZstwyeqQ=")
        );
        assert_eq!(
            ok("base64sha512", vec![s("hi")]),
            s("FQoU7VvqbMcxz4bEFWasQnqNtI7xuf1iZmSzv7uZBx+kySLzPd44cZuMg1Tit6udd+Dmf8EoQ5IKcS5z1Vjhlw==")
        );
    }

    #[test]
    fn uuids() {
        assert_eq!(
            ok("uuidv5", vec![s("dns"), s("example.com")]),
            s("cfbff0d1-9375-5685-968c-48ce8b15ae17")
        );
        assert_eq!(
            err("uuidv5", vec![s("x"), s("a")]).0,
            "Error in function call"
        );
        let u = ok("uuid", vec![]);
        assert_eq!(u.as_str().map(str::len), Some(36));
        assert_ne!(u, ok("uuid", vec![]));
    }

    #[test]
    fn bcrypt_verifies() {
        let h = ok("bcrypt", vec![s("secret"), n(4)]);
        let h = h.as_str().unwrap_or_default().to_string();
        assert!(h.starts_with("$2a$04$"), "{h}");
        assert_eq!(bcrypt::verify("secret", &h).ok(), Some(true));
        assert!(ok("bcrypt", vec![s("a"), n(3)])
            .as_str()
            .is_some_and(|h| h.starts_with("$2a$10$")));
    }

    #[test]
    fn rsadecrypt_reports() {
        assert_eq!(
            err("rsadecrypt", vec![s("a"), s("b")]).0,
            "Invalid function argument"
        );
        assert!(err("rsadecrypt", vec![s("aGk="), s("b")])
            .1
            .contains("not supported"));
    }
}
