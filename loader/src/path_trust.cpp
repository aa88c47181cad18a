#include "fastmcp/loader/path_trust.hpp"

#include "fastmcp/loader/load_error.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace fastmcp::loader {
namespace {

std::string mode_text(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

bool trusted_owner(uid_t uid) { return uid == 0 || uid == ::geteuid(); }

std::string owner_problem(const std::string &what, const std::string &path, uid_t uid) {
    return what + " " + path + " is owned by uid " + std::to_string(uid) + ", neither you (uid " +
           std::to_string(::geteuid()) + ") nor root, so that user could replace the module; fix: chown " +
           std::to_string(::geteuid()) + " " + path + " (or chown root), or move the module somewhere you own";
}

} // namespace

std::optional<std::string> untrusted_reason(const std::string &real_path) {
    struct stat st {};
    if (::stat(real_path.c_str(), &st) != 0) return "cannot stat " + real_path + ": " + std::strerror(errno);
    if (!S_ISREG(st.st_mode)) return real_path + " is not a regular file";
    if (!trusted_owner(st.st_uid)) return owner_problem("the module", real_path, st.st_uid);
    if (st.st_mode & S_IWOTH)
        return "the module " + real_path + " is world-writable (mode " + mode_text(st.st_mode) +
               "), so any user could replace its code; fix: chmod o-w " + real_path;
    namespace fs = std::filesystem;
    for (fs::path dir = fs::path(real_path).parent_path();; dir = dir.parent_path()) {
        const std::string d = dir.empty() ? "/" : dir.string();
        struct stat ds {};
        if (::stat(d.c_str(), &ds) != 0) return "cannot stat " + d + ": " + std::strerror(errno);
        if (!trusted_owner(ds.st_uid)) return owner_problem("the directory", d, ds.st_uid);
        if ((ds.st_mode & S_IWOTH) && !(ds.st_mode & S_ISVTX))
            return "the directory " + d + " is world-writable (mode " + mode_text(ds.st_mode) +
                   ") without the sticky bit, so any user could swap the module; fix: chmod o-w " + d +
                   " (or move the module to a directory only you and root can write)";
        if (d == "/" || dir == dir.parent_path()) break;
    }
    return std::nullopt;
}

std::string trusted_module_path(const std::string &path, bool allow_unsafe, std::string *warning) {
    char resolved[PATH_MAX];
    if (!::realpath(path.c_str(), resolved))
        throw LoadError(ErrorKind::FileNotFound, "provider module " + path + " cannot be resolved: " + std::strerror(errno));
    const std::string real = resolved;
    auto reason = untrusted_reason(real);
    if (!reason) return real;
    if (!allow_unsafe)
        throw LoadError(ErrorKind::UntrustedPath, path + ": refusing to load provider module: " + *reason +
                                                      "; to load it anyway (not recommended) set " +
                                                      kAllowUnsafeProviderPathVariable + "=1");
    if (warning)
        *warning = std::string(kAllowUnsafeProviderPathVariable) + " is set: loading " + path + " although " + *reason;
    return real;
}

bool allow_unsafe_provider_path(const env::Environment &env) {
    auto v = env.get(kAllowUnsafeProviderPathVariable);
    if (!v || v->from_file()) return false;
    const std::string &s = v->value;
    return s == "1" || s == "true" || s == "TRUE" || s == "yes" || s == "on";
}

} // namespace fastmcp::loader
