// Fuzz target: the .env parser (fastmcp::env::parse_env_text).
// Invariants: it either returns or throws EnvError (nothing else escapes); every accepted name is a
// valid identifier; writing the accepted entries back as double-quoted assignments and parsing
// that again gives the same entries (no value is silently altered by its own quoting rules).
#include "fuzz_support.hpp"

#include "fastmcp/env/env_file.hpp"
#include "fastmcp/env/error.hpp"

#include <string>

namespace {

constexpr const char *kTarget = "env_file";

bool valid_name(const std::string &n) {
    if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return false;
    for (char c : n)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

std::string quoted(const std::string &v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out + "\"";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace fastmcp;
    env::EnvFile file;
    try {
        file = env::parse_env_text(fuzz::as_view(data, size), "fuzz.env");
    } catch (const env::EnvError &e) {
        if (std::string_view(e.what()).substr(0, 9) != "fuzz.env:") fuzz::invariant_failed(kTarget, "error without file:line");
        return 0;
    }
    std::string rewritten;
    for (const auto &[name, entry] : file.entries) {
        if (!valid_name(name)) fuzz::invariant_failed(kTarget, "accepted an invalid variable name");
        if (entry.line < 1) fuzz::invariant_failed(kTarget, "entry without a line number");
        rewritten += name + "=" + quoted(entry.value) + "\n";
    }
    env::EnvFile again;
    try {
        again = env::parse_env_text(rewritten, "rewritten.env");
    } catch (const env::EnvError &) {
        fuzz::invariant_failed(kTarget, "re-quoted entries do not parse");
    }
    if (again.entries.size() != file.entries.size()) fuzz::invariant_failed(kTarget, "round trip changed the entry count");
    for (const auto &[name, entry] : file.entries) {
        auto it = again.entries.find(name);
        if (it == again.entries.end() || it->second.value != entry.value)
            fuzz::invariant_failed(kTarget, "round trip changed a value");
    }
    return 0;
}
