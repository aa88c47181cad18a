#include "token_input.hpp"

#include <fstream>
#include <iostream>
#include <stdexcept>

namespace fastmcp::cli {
namespace {

std::string trim(std::string s) {
    const char *ws = " \t\r\n";
    s.erase(0, s.find_first_not_of(ws));
    s.erase(s.find_last_not_of(ws) + 1);
    return s;
}

// Reads up to `limit` bytes; a huge input is never held in memory whole.
std::string read_bounded(std::istream &in, size_t limit) {
    std::string out(limit, '\0');
    in.read(out.data(), static_cast<std::streamsize>(limit));
    out.resize(static_cast<size_t>(in.gcount()));
    return out;
}

} // namespace

TokenInput read_token(const std::string &arg) {
    std::string raw;
    if (arg == "-") {
        raw = read_bounded(std::cin, kMaxTokenInput + 1);
        if (std::cin.bad()) throw std::runtime_error("cannot read the token from standard input");
    } else if (!arg.empty() && arg[0] == '@') {
        std::ifstream in(arg.substr(1), std::ios::binary);
        if (!in) throw std::runtime_error("cannot read token file '" + arg.substr(1) + "'");
        raw = read_bounded(in, kMaxTokenInput + 1);
        if (in.bad()) throw std::runtime_error("cannot read token file '" + arg.substr(1) + "'");
    } else {
        raw = arg;
    }
    TokenInput out;
    if (raw.size() > kMaxTokenInput) {
        out.too_large = true;
        return out;
    }
    raw = trim(raw);
    if (raw.size() > 7 && (raw.rfind("Bearer ", 0) == 0 || raw.rfind("bearer ", 0) == 0))
        raw = trim(raw.substr(7));
    out.token = std::move(raw);
    return out;
}

} // namespace fastmcp::cli
