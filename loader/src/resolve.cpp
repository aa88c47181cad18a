#include "fastmcp/loader/resolve.hpp"

#include "fastmcp/loader/load_error.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

namespace fastmcp::loader {
namespace fs = std::filesystem;
namespace {

constexpr const char *kForms =
    "accepted forms: fastmcp.server.auth.providers.<module>.<Class> (e.g. "
    "fastmcp.server.auth.providers.workos.AuthKitProvider), path/to/module.so:Class, "
    "path/to/module.so, module:Class, module.Class";

bool is_ident(std::string_view s, bool allow_dash) {
    if (s.empty()) return false;
    if (std::isdigit(static_cast<unsigned char>(s.front()))) return false;
    return std::all_of(s.begin(), s.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (allow_dash && c == '-');
    });
}

bool is_file(const fs::path &p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

std::string invalid(const std::string &value, const std::string &why) {
    return std::string(kServerAuthVariable) + "='" + value + "': " + why + "; " + kForms;
}

// Module names present on the search path, to help the user spot a typo.
std::string available_modules(const std::vector<std::string> &search_path) {
    std::set<std::string> names;
    for (const auto &dir : search_path) {
        std::error_code ec;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().extension() == ".so") names.insert(it->path().stem().string());
    }
    if (names.empty()) return "no modules found on the search path";
    std::string out = "modules found:";
    for (const auto &n : names) out += " " + n;
    return out;
}

Resolved on_search_path(const std::string &value, const std::string &module, const std::string &cls,
                        const std::vector<std::string> &search_path) {
    if (!is_ident(module, true)) throw LoadError(ErrorKind::InvalidValue, invalid(value, "invalid module name '" + module + "'"));
    if (!is_ident(cls, false)) throw LoadError(ErrorKind::InvalidValue, invalid(value, "invalid class name '" + cls + "'"));
    Resolved r;
    r.class_name = cls;
    for (const auto &dir : search_path) {
        fs::path candidate = fs::path(dir) / (module + ".so");
        r.tried.push_back(candidate.string());
        if (is_file(candidate)) {
            r.module_path = candidate.string();
            return r;
        }
    }
    std::string msg = std::string(kServerAuthVariable) + "='" + value + "': no provider module '" + module +
                      "' (" + module + ".so) on the search path (" + kProviderPathVariable +
                      ", then " + install_provider_dir() + "); " + available_modules(search_path);
    if (search_path.empty()) msg += "; the search path is empty";
    throw LoadError(ErrorKind::UnknownModule, msg, r.tried);
}

} // namespace

std::string fastmcp_name(const std::string &module, const std::string &class_name) {
    for (const auto &alias : kFastMcpAliases)
        if (module == alias.module && class_name == alias.class_name) return alias.fastmcp_name;
    return std::string(kFastMcpPrefix) + module + "." + class_name;
}

std::string install_provider_dir() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return "lib/fastmcp/providers";
    return (exe.parent_path() / ".." / "lib" / "fastmcp" / "providers").lexically_normal().string();
}

std::vector<std::string> default_search_path(const env::Environment &env) {
    std::vector<std::string> out;
    if (auto v = env.get(kProviderPathVariable)) {
        size_t start = 0;
        while (start <= v->value.size()) {
            size_t colon = v->value.find(':', start);
            std::string dir = v->value.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            if (!dir.empty()) out.push_back(dir);
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
    }
    out.push_back(install_provider_dir());
    return out;
}

Resolved resolve(const std::string &raw, const std::vector<std::string> &search_path) {
    std::string value = raw;
    auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
    while (!value.empty() && blank(value.front())) value.erase(value.begin());
    while (!value.empty() && blank(value.back())) value.pop_back();
    if (value.empty())
        throw LoadError(ErrorKind::InvalidValue,
                        std::string(kServerAuthVariable) +
                            " is set but empty; unset it to run without auth, or name a provider. " + kForms);

    // An explicit shared-object path: "path/to/module.so" or "path/to/module.so:Class".
    size_t so = value.find(".so");
    if (so != std::string::npos && (so + 3 == value.size() || value[so + 3] == ':')) {
        Resolved r;
        std::string path = value.substr(0, so + 3);
        if (so + 3 < value.size()) {
            r.class_name = value.substr(so + 4);
            if (!is_ident(r.class_name, false))
                throw LoadError(ErrorKind::InvalidValue, invalid(value, "invalid class name '" + r.class_name + "'"));
        }
        std::error_code ec;
        fs::path abs = fs::absolute(path, ec);
        r.tried.push_back(abs.string());
        if (!is_file(abs))
            throw LoadError(ErrorKind::FileNotFound,
                            std::string(kServerAuthVariable) + "='" + value + "': provider module file not found: " + abs.string(),
                            r.tried);
        r.module_path = abs.lexically_normal().string();
        return r;
    }
    for (const auto &alias : kFastMcpAliases)
        if (value == alias.fastmcp_name) return on_search_path(value, alias.module, alias.class_name, search_path);
    // FastMCP's own names: fastmcp.server.auth.providers.<module>.<Class>
    if (value.rfind(kFastMcpPrefix, 0) == 0) {
        std::string rest = value.substr(std::string(kFastMcpPrefix).size());
        size_t dot = rest.rfind('.');
        if (dot == std::string::npos || rest.find('.') != dot)
            throw LoadError(ErrorKind::InvalidValue, invalid(value, "expected <module>.<Class> after '" + std::string(kFastMcpPrefix) + "'"));
        return on_search_path(value, rest.substr(0, dot), rest.substr(dot + 1), search_path);
    }
    if (size_t colon = value.find(':'); colon != std::string::npos)
        return on_search_path(value, value.substr(0, colon), value.substr(colon + 1), search_path);
    if (size_t dot = value.rfind('.'); dot != std::string::npos && value.find('.') == dot)
        return on_search_path(value, value.substr(0, dot), value.substr(dot + 1), search_path);
    throw LoadError(ErrorKind::InvalidValue, invalid(value, "not a recognised provider name"));
}

} // namespace fastmcp::loader
