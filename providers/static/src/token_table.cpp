#include "fastmcp/static_tokens/token_table.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fastmcp::static_tokens {
namespace {

using nlohmann::json;

// Each entry is named without its token: by client_id when it has one, else by position.
std::string entry_name(const json &value, size_t index, size_t count) {
    if (value.is_object()) {
        auto it = value.find("client_id");
        if (it != value.end() && it->is_string() && !it->get_ref<const std::string &>().empty() &&
            it->get_ref<const std::string &>().size() <= 200)
            return "the entry for client_id '" + it->get<std::string>() + "'";
    }
    return "entry " + std::to_string(index + 1) + " of " + std::to_string(count) + " (in key order)";
}

// A bearer token is token68-ish: printable ASCII without spaces. Anything else could never be
// presented in an Authorization header, so it is a configuration mistake.
bool presentable(const std::string &token) {
    return std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::vector<std::string> read_scopes(const json &v, const std::function<void(const std::string &)> &fail) {
    std::vector<std::string> out;
    auto add = [&](std::string s) {
        if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    };
    if (v.is_null()) return out;
    if (v.is_string()) {
        std::string cur;
        for (char c : v.get_ref<const std::string &>()) {
            if (c == ' ' || c == ',') {
                add(std::move(cur));
                cur.clear();
            } else {
                cur += c;
            }
        }
        add(std::move(cur));
    } else if (v.is_array()) {
        for (const auto &s : v) {
            if (!s.is_string()) fail("scopes must be a list of strings");
            add(s.get<std::string>());
        }
    } else {
        fail("scopes must be a list of strings or a space-separated string");
    }
    return out;
}

} // namespace

Digest sha256(std::string_view data) {
    Digest d{};
    // EVP_sha256(), not a cached EVP_MD_fetch: a fetched EVP_MD held in a static of a module
    // outlives dlclose and shows up as a leak; the hash costs ~1 us either way.
    unsigned int n = 0;
    if (EVP_Digest(data.data(), data.size(), d.data(), &n, EVP_sha256(), nullptr) != 1 || n != d.size())
        throw std::runtime_error("SHA-256 failed");
    return d;
}

TokenTable TokenTable::parse(const json &tokens, const std::string &variable) {
    auto fail = [&](const std::string &why) -> void { throw plugin::ConfigError(variable + ": " + why); };
    if (!tokens.is_object())
        fail("must be a JSON object mapping each token to {client_id, scopes, expires_at?, claims?}");
    if (tokens.empty()) fail("defines no tokens");
    if (tokens.size() > kMaxEntries) fail("defines more than 10000 tokens");

    TokenTable table;
    table.entries_.reserve(tokens.size());
    size_t index = 0;
    for (const auto &[token, value] : tokens.items()) {
        const std::string name = entry_name(value, index, tokens.size());
        auto entry_fail = [&](const std::string &why) { fail(name + ": " + why); };
        if (token.empty()) entry_fail("the token is empty");
        if (token.size() > kMaxTokenBytes) entry_fail("the token is longer than 16 KiB");
        if (!presentable(token))
            entry_fail("the token contains spaces or non-printable characters, so it could never be "
                       "sent as a Bearer token");
        if (!value.is_object()) entry_fail("must be an object {client_id, scopes, expires_at?, claims?}");
        for (const auto &[key, ignored] : value.items()) {
            (void)ignored;
            if (key != "client_id" && key != "scopes" && key != "expires_at" && key != "claims")
                entry_fail("unknown field '" + key.substr(0, 64) +
                           "' (allowed: client_id, scopes, expires_at, claims)");
        }

        Entry e;
        e.digest = sha256(token);
        auto cid = value.find("client_id");
        if (cid == value.end() || !cid->is_string() || cid->get_ref<const std::string &>().empty())
            entry_fail("client_id is required (a non-empty string)");
        e.client_id = cid->get<std::string>();
        e.scopes = read_scopes(value.value("scopes", json()), entry_fail);

        if (auto exp = value.find("expires_at"); exp != value.end() && !exp->is_null()) {
            if (!exp->is_number() || !std::isfinite(exp->get<double>()) || exp->get<double>() <= 0)
                entry_fail("expires_at must be a Unix time in seconds");
            e.expires_at = static_cast<int64_t>(std::floor(exp->get<double>()));
        }
        json claims = json::object();
        if (auto c = value.find("claims"); c != value.end() && !c->is_null()) {
            if (!c->is_object()) entry_fail("claims must be a JSON object");
            claims = *c;
        }
        // The verified token's claims: the configured ones, then what the entry itself says.
        if (!claims.contains("sub") || !claims["sub"].is_string()) claims["sub"] = e.client_id;
        claims["client_id"] = e.client_id;
        std::string scope;
        for (const auto &s : e.scopes) scope += (scope.empty() ? "" : " ") + s;
        claims["scope"] = scope;
        if (e.expires_at) claims["exp"] = e.expires_at;
        else claims.erase("exp");
        e.subject = claims["sub"].get<std::string>();
        if (auto iss = claims.find("iss"); iss != claims.end() && iss->is_string()) e.issuer = iss->get<std::string>();
        e.claims_json = claims.dump(-1, ' ', false, json::error_handler_t::replace);
        table.entries_.push_back(std::move(e));
        ++index;
    }
    return table;
}

// Branch-free accumulation: every entry is compared, and neither the loop nor the selection
// depends on where (or whether) a match was found. Digests are unique (keys are unique).
template <class Equal>
static const Entry *scan(const std::vector<Entry> &entries, const Digest &digest, Equal &&equal) {
    size_t found = 0;
    size_t index = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
        const size_t eq = static_cast<size_t>(equal(digest, entries[i].digest) & 1);
        const size_t mask = size_t{0} - eq;
        index |= i & mask;
        found |= eq;
    }
    return found ? &entries[index] : nullptr;
}

const Entry *TokenTable::find_digest(const Digest &digest,
                                     const std::function<int(const Digest &, const Digest &)> &equal) const {
    return scan(entries_, digest, equal);
}

const Entry *TokenTable::find_digest(const Digest &digest) const {
    return scan(entries_, digest, [](const Digest &a, const Digest &b) {
        return static_cast<int>(CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
    });
}

const Entry *TokenTable::find(std::string_view token) const { return find_digest(sha256(token)); }

size_t TokenTable::expired_at(int64_t now_s) const {
    return static_cast<size_t>(std::count_if(entries_.begin(), entries_.end(), [&](const Entry &e) {
        return e.expires_at != 0 && now_s >= e.expires_at;
    }));
}

} // namespace fastmcp::static_tokens
