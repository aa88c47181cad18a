// Loader failures: each has its own kind, and the message lists what was tried, in order.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace fastmcp::loader {

enum class ErrorKind {
    InvalidValue,       // FASTMCP_SERVER_AUTH is empty or not a recognised form
    UnknownModule,      // the module name was not found on the search path
    FileNotFound,       // an explicit .so path does not exist
    DlopenFailed,       // dlopen() failed: dlerror() text in the message
    MissingEntrySymbol, // no fastmcp_auth_module symbol
    AbiMismatch,        // module ABI major differs from the host's (message names both)
    BadDescriptor,      // descriptor struct sizes / pointers are not sane
    UnknownClass,       // the module has no provider of that name (message lists the ones it has)
    AmbiguousModule,    // `module.so` without a class, but the module has several providers
    SettingsInvalid,    // a setting is missing or does not parse (message names the variable)
    CreateFailed,       // the provider's create() refused the settings
    EnvFileError,       // the .env file is missing (when named) or malformed
    UntrustedPath,      // the module or a directory above it is writable by others (path_trust.hpp)
};

const char *error_kind_name(ErrorKind kind); // "unknown_module", "abi_mismatch", ...

class LoadError : public std::runtime_error {
public:
    LoadError(ErrorKind kind, const std::string &message, std::vector<std::string> tried = {});
    ErrorKind kind() const { return kind_; }
    // What was tried, in order (candidate paths, forms); also part of what().
    const std::vector<std::string> &tried() const { return tried_; }

private:
    ErrorKind kind_;
    std::vector<std::string> tried_;
};

} // namespace fastmcp::loader
