// Provider trust: a module runs with the server's privileges, so it is only loaded when no other
// (non-root) user could have written it or could swap it before dlopen.
//
// Refused (ErrorKind::UntrustedPath) unless explicitly allowed:
//   - the module file (after resolving symlinks) is world-writable, is not a regular file, or is
//     owned by a user other than the effective uid or root;
//   - any directory from the file's real parent up to "/" is world-writable without the sticky
//     bit, or is owned by a user other than the effective uid or root.
// A world-writable directory WITH the sticky bit (/tmp) is accepted: there, only the owner of a
// file (or root) may rename or delete it, and the file itself must be ours or root's, so nobody
// else can replace it. Group-writable paths are accepted (group membership is an admin decision).
// Because no other user can change any component of the checked real path, checking before
// dlopen(real path) leaves no window for a swap.
#pragma once

#include "fastmcp/env/environment.hpp"

#include <optional>
#include <string>

namespace fastmcp::loader {

inline constexpr const char *kAllowUnsafeProviderPathVariable = "FASTMCP_ALLOW_UNSAFE_PROVIDER_PATH";

// The canonical (symlink-free) path of a trusted module; throws LoadError(UntrustedPath) with the
// reason and the fix (chmod/chown), or LoadError(FileNotFound) when the path does not resolve.
// With allow_unsafe, a would-be refusal is returned in *warning instead (never silently).
std::string trusted_module_path(const std::string &path, bool allow_unsafe = false, std::string *warning = nullptr);

// The untrusted-path reason for `path`, or nullopt when it may be loaded.
std::optional<std::string> untrusted_reason(const std::string &real_path);

// FASTMCP_ALLOW_UNSAFE_PROVIDER_PATH=1|true|yes from the PROCESS environment only: a .env file is
// easier to plant than the environment of the server, so a value there does not count.
bool allow_unsafe_provider_path(const env::Environment &env);

} // namespace fastmcp::loader
