#include "token_input.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>

namespace fastmcp::cli {
namespace {

std::string trim(std::string s) {
    const char *ws = " \t\r\n";
    s.erase(0, s.find_first_not_of(ws));
    s.erase(s.find_last_not_of(ws) + 1);
    return s;
}

} // namespace

std::string read_token(const std::string &arg) {
    std::string raw;
    if (arg == "-") {
        raw.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else if (!arg.empty() && arg[0] == '@') {
        std::ifstream in(arg.substr(1), std::ios::binary);
        if (!in) throw std::runtime_error("cannot read token file '" + arg.substr(1) + "'");
        raw.assign(std::istreambuf_iterator<char>(in), {});
    } else {
        raw = arg;
    }
    if (raw.size() > kMaxTokenInput) throw std::runtime_error("the token input is larger than 64 KiB");
    raw = trim(raw);
    if (raw.size() > 7 && (raw.rfind("Bearer ", 0) == 0 || raw.rfind("bearer ", 0) == 0)) raw = trim(raw.substr(7));
    return raw;
}

} // namespace fastmcp::cli
