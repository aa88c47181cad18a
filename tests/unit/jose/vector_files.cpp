#include "vector_files.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fastmcp::jose::testing {

std::string vectors_dir() { return FASTMCP_VECTORS_DIR; }

bool vectors_present() {
    if (std::filesystem::is_directory(vectors_dir())) return true;
    MESSAGE("SKIPPED: conformance vectors folder not found: " << vectors_dir());
    return false;
}

std::optional<nlohmann::json> load_vector_file(const std::string &relative) {
    const std::string path = vectors_dir() + "/" + relative;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        FAIL_CHECK("cannot read vector file " << path);
        return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto doc = nlohmann::json::parse(text.str(), nullptr, false);
    if (doc.is_discarded()) {
        FAIL_CHECK("vector file is not JSON: " << path);
        return std::nullopt;
    }
    return doc;
}

std::string hex_decode(const std::string &hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(hex.size() / 2);
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
    return out;
}

} // namespace fastmcp::jose::testing
