#include "fastmcp/jose/alg.hpp"

namespace fastmcp::jose {

namespace {
struct AlgName {
    Alg alg;
    std::string_view name;
};
constexpr AlgName kAlgNames[] = {
    {Alg::RS256, "RS256"}, {Alg::RS384, "RS384"}, {Alg::RS512, "RS512"}, {Alg::PS256, "PS256"},
    {Alg::PS384, "PS384"}, {Alg::PS512, "PS512"}, {Alg::ES256, "ES256"}, {Alg::ES384, "ES384"},
    {Alg::ES512, "ES512"}, {Alg::EdDSA, "EdDSA"}, {Alg::HS256, "HS256"}, {Alg::HS384, "HS384"},
    {Alg::HS512, "HS512"},
};
} // namespace

std::optional<Alg> alg_from_name(std::string_view name) {
    // Exact, case-sensitive match (RFC 7515 §4.1.1): "none", "NONE", "rs256" are all unknown.
    for (const auto &entry : kAlgNames)
        if (entry.name == name) return entry.alg;
    return std::nullopt;
}

std::string_view alg_name(Alg alg) {
    for (const auto &entry : kAlgNames)
        if (entry.alg == alg) return entry.name;
    return "unknown";
}

KeyType key_type_for(Alg alg) {
    switch (alg) {
    case Alg::RS256: case Alg::RS384: case Alg::RS512:
    case Alg::PS256: case Alg::PS384: case Alg::PS512: return KeyType::RSA;
    case Alg::ES256: case Alg::ES384: case Alg::ES512: return KeyType::EC;
    case Alg::EdDSA: return KeyType::OKP;
    case Alg::HS256: case Alg::HS384: case Alg::HS512: return KeyType::Oct;
    }
    return KeyType::Oct; // unreachable; Oct never fits an asymmetric key
}

bool is_hmac(Alg alg) { return key_type_for(alg) == KeyType::Oct; }

} // namespace fastmcp::jose
