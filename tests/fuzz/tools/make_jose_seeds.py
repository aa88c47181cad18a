#!/usr/bin/env python3
"""Writes the fixed JOSE key set of the fuzzers (tests/fuzz/fuzz_keys.hpp) and the JWS / JWKS seeds.

The private keys live in tests/fuzz/tools/test_keys.pem (TEST KEYS ONLY, never used anywhere else);
they are created on the first run and reused after, so re-running only rewrites identical files
(except ES256/RSA-PSS-free signatures: ECDSA is randomised, so ES256 seeds change bytes, not meaning).
Run from anywhere: python3 tests/fuzz/tools/make_jose_seeds.py
"""
import base64, json, os, pathlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

HERE = pathlib.Path(__file__).resolve().parent
FUZZ = HERE.parent
KEYS_PEM = HERE / "test_keys.pem"

ISS = "https://issuer.example"
AUD = "https://mcp.example/mcp"
NOW = 1750000000  # the fuzzer's fixed clock
FAR = 4102444800  # 2100-01-01


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def uint(n: int) -> str:
    return b64u(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def load_or_make_keys():
    if KEYS_PEM.exists():
        blocks = KEYS_PEM.read_bytes().split(b"-----END PRIVATE KEY-----")
        keys = [serialization.load_pem_private_key(b + b"-----END PRIVATE KEY-----\n", None)
                for b in blocks if b.strip()]
        return keys[0], keys[1], keys[2]
    keys = (rsa.generate_private_key(65537, 2048), ec.generate_private_key(ec.SECP256R1()),
            ed25519.Ed25519PrivateKey.generate())
    pem = b"".join(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()) for k in keys)
    KEYS_PEM.write_bytes(pem)
    return keys


rsa_key, ec_key, ed_key = load_or_make_keys()
rn = rsa_key.public_key().public_numbers()
en = ec_key.public_key().public_numbers()
ed_raw = ed_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

jwk_rsa = {"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig", "n": uint(rn.n), "e": uint(rn.e)}
jwk_ec = {"kty": "EC", "kid": "ec-1", "alg": "ES256", "use": "sig", "crv": "P-256",
          "x": b64u(en.x.to_bytes(32, "big")), "y": b64u(en.y.to_bytes(32, "big"))}
jwk_ed = {"kty": "OKP", "kid": "ed-1", "alg": "EdDSA", "use": "sig", "crv": "Ed25519", "x": b64u(ed_raw)}
jwks = {"keys": [jwk_rsa, jwk_ec, jwk_ed]}


def pub_pem(k):
    return k.public_key().public_bytes(serialization.Encoding.PEM,
                                       serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign(alg, key, header, payload, raw_header=None, raw_payload=None):
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    p = raw_payload if raw_payload is not None else json.dumps(payload, separators=(",", ":")).encode()
    si = (b64u(h) + "." + b64u(p)).encode()
    if alg == "RS256":
        sig = key.sign(si, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "ES256":
        r, s = utils.decode_dss_signature(key.sign(si, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif alg == "EdDSA":
        sig = key.sign(si)
    else:
        raise ValueError(alg)
    return si.decode() + "." + b64u(sig)


claims = {"iss": ISS, "aud": AUD, "sub": "user-1", "iat": NOW - 10, "exp": FAR, "scope": "openid profile"}
hdr = lambda alg, kid: {"alg": alg, "kid": kid, "typ": "JWT"}

seeds = {
    "valid_rs256": sign("RS256", rsa_key, hdr("RS256", "rsa-1"), claims),
    "valid_es256": sign("ES256", ec_key, hdr("ES256", "ec-1"), claims),
    "valid_eddsa": sign("EdDSA", ed_key, hdr("EdDSA", "ed-1"), claims),
    "valid_aud_array": sign("ES256", ec_key, hdr("ES256", "ec-1"), dict(claims, aud=["x", AUD])),
    "expired": sign("RS256", rsa_key, hdr("RS256", "rsa-1"), dict(claims, exp=NOW - 3600)),
    "nbf_future": sign("EdDSA", ed_key, hdr("EdDSA", "ed-1"), dict(claims, nbf=NOW + 3600)),
    "wrong_aud": sign("RS256", rsa_key, hdr("RS256", "rsa-1"), dict(claims, aud="https://other.example")),
    "wrong_iss": sign("ES256", ec_key, hdr("ES256", "ec-1"), dict(claims, iss="https://evil.example")),
    "valid_no_kid_single_eddsa_key": sign("EdDSA", ed_key, {"alg": "EdDSA"}, claims),
    "unknown_kid": sign("RS256", rsa_key, hdr("RS256", "nope"), claims),
    "kid_alg_mismatch": sign("RS256", rsa_key, hdr("RS256", "ec-1"), claims),
    "crit": sign("RS256", rsa_key, dict(hdr("RS256", "rsa-1"), crit=["exp"]), claims),
    "valid_jku_ignored": sign("ES256", ec_key, dict(hdr("ES256", "ec-1"), jku="https://evil.example/jwks"), claims),
    "dup_claim": sign("RS256", rsa_key, hdr("RS256", "rsa-1"), None,
                      raw_payload=b'{"iss":"https://issuer.example","aud":"https://mcp.example/mcp","exp":4102444800,"exp":1}'),
    "exp_string": sign("EdDSA", ed_key, hdr("EdDSA", "ed-1"), dict(claims, exp="4102444800")),
    "alg_none": b64u(b'{"alg":"none"}') + "." + b64u(json.dumps(claims).encode()) + ".",
    "hs256_confusion": b64u(b'{"alg":"HS256","kid":"rsa-1"}') + "." + b64u(json.dumps(claims).encode()) + "." + b64u(b"\0" * 32),
    "two_parts": "eyJhbGciOiJSUzI1NiJ9.e30",
    "padded": b64u(b'{"alg":"RS256"}') + "=." + b64u(b"{}") + ".AA",
}
# A valid ES256 token with a DER (not P1363) signature: must be rejected.
t = seeds["valid_es256"].rsplit(".", 1)[0]
r, s = utils.decode_dss_signature(ec_key.sign(t.encode(), ec.ECDSA(hashes.SHA256())))
seeds["es256_der_sig"] = t + "." + b64u(utils.encode_dss_signature(r, s))
# A valid RS256 signature with one byte dropped.
seeds["rs256_short_sig"] = seeds["valid_rs256"].rsplit(".", 1)[0] + "." + b64u(base64.urlsafe_b64decode(seeds["valid_rs256"].rsplit(".", 1)[1] + "==")[:-1])

out = FUZZ / "corpus" / "jws_verify"
out.mkdir(parents=True, exist_ok=True)
for name, tok in seeds.items():
    (out / name).write_text(tok)

# JWKS seeds.
small_rsa = rsa.generate_private_key(65537, 1024).public_key().public_numbers()
jwks_seeds = {
    "fixed_set": jwks,
    "single_rsa": jwk_rsa,
    "enc_use": {"keys": [dict(jwk_ec, use="enc")]},
    "rsa_1024": {"keys": [{"kty": "RSA", "kid": "small", "n": uint(small_rsa.n), "e": uint(small_rsa.e)}]},
    "ec_off_curve": {"keys": [dict(jwk_ec, y=b64u((en.y ^ 1).to_bytes(32, "big")))]},
    "ec_wrong_len": {"keys": [dict(jwk_ec, x=b64u(en.x.to_bytes(32, "big")[1:]))]},
    "okp_x25519": {"keys": [dict(jwk_ed, crv="X25519", alg=None)]},
    "oct": {"keys": [{"kty": "oct", "kid": "h", "k": b64u(b"s" * 32), "alg": "HS256"}]},
    "dup_kid": {"keys": [jwk_rsa, dict(jwk_ec, kid="rsa-1")]},
    "no_keys": {"keys": []},
    "keys_not_array": {"keys": {"kty": "RSA"}},
    "rsa_private_fields": {"keys": [dict(jwk_rsa, d="AQAB")]},
    "unknown_kty": {"keys": [{"kty": "XYZ", "kid": "x"}]},
}
out = FUZZ / "corpus" / "jwks"
out.mkdir(parents=True, exist_ok=True)
for name, doc in jwks_seeds.items():
    (out / name).write_text(json.dumps(doc, separators=(",", ":")))
(out / "padded_n").write_text(json.dumps({"keys": [dict(jwk_rsa, n=uint(rn.n) + "==")]}))
(out / "not_json").write_text('{"keys":[')

# The header the fuzzers compile in: the public JWKS (parsed by the code under test) and the same
# public keys as PEM (loaded with OpenSSL directly by the fuzzer's independent oracle).
hpp = f'''// Generated by tests/fuzz/tools/make_jose_seeds.py: the fixed public key set of the JOSE fuzzers.
// TEST KEYS ONLY. The matching private keys are in tests/fuzz/tools/test_keys.pem.
#pragma once

namespace fastmcp::fuzz {{

inline constexpr const char *kIssuer = "{ISS}";
inline constexpr const char *kAudience = "{AUD}";
inline constexpr long long kNow = {NOW};

inline constexpr const char *kJwks = R"({json.dumps(jwks, separators=(",", ":"))})";

struct OracleKey {{
    const char *kid;
    const char *alg;
    const char *public_pem;
}};

inline constexpr OracleKey kOracleKeys[] = {{
    {{"rsa-1", "RS256", R"({pub_pem(rsa_key)})"}},
    {{"ec-1", "ES256", R"({pub_pem(ec_key)})"}},
    {{"ed-1", "EdDSA", R"({pub_pem(ed_key)})"}},
}};

}} // namespace fastmcp::fuzz
'''
(FUZZ / "fuzz_keys.hpp").write_text(hpp)
print("wrote", len(seeds), "JWS seeds,", len(jwks_seeds) + 2, "JWKS seeds and fuzz_keys.hpp")
