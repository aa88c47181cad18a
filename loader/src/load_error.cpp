#include "fastmcp/loader/load_error.hpp"

namespace fastmcp::loader {

const char *error_kind_name(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::InvalidValue: return "invalid_value";
    case ErrorKind::UnknownModule: return "unknown_module";
    case ErrorKind::FileNotFound: return "file_not_found";
    case ErrorKind::DlopenFailed: return "dlopen_failed";
    case ErrorKind::MissingEntrySymbol: return "missing_entry_symbol";
    case ErrorKind::AbiMismatch: return "abi_mismatch";
    case ErrorKind::BadDescriptor: return "bad_descriptor";
    case ErrorKind::UnknownClass: return "unknown_class";
    case ErrorKind::AmbiguousModule: return "ambiguous_module";
    case ErrorKind::SettingsInvalid: return "settings_invalid";
    case ErrorKind::CreateFailed: return "create_failed";
    case ErrorKind::EnvFileError: return "env_file_error";
    case ErrorKind::UntrustedPath: return "untrusted_path";
    }
    return "unknown";
}

namespace {
std::string with_tried(const std::string &message, const std::vector<std::string> &tried) {
    if (tried.empty()) return message;
    std::string out = message + "\n  tried, in order:";
    for (size_t i = 0; i < tried.size(); ++i) out += "\n    " + std::to_string(i + 1) + ". " + tried[i];
    return out;
}
} // namespace

LoadError::LoadError(ErrorKind kind, const std::string &message, std::vector<std::string> tried)
    : std::runtime_error(with_tried(message, tried)), kind_(kind), tried_(std::move(tried)) {}

} // namespace fastmcp::loader
