#include "fastmcp/env/environment.hpp"

#include "fastmcp/env/error.hpp"

#include <sys/stat.h>
#include <unistd.h> // environ

namespace fastmcp::env {

std::string Variable::source() const {
    return from_file() ? file + ":" + std::to_string(line) : std::string("env");
}

std::string Variable::label() const { return from_file() ? source() + ": " + name : name; }

Environment::Environment(std::map<std::string, std::string> process, std::optional<EnvFile> file)
    : process_(std::move(process)), file_(std::move(file)) {}

Environment Environment::load(const char *const *environ_block,
                              const std::optional<std::string> &env_file) {
    std::map<std::string, std::string> process;
    for (const char *const *p = environ_block; p && *p; ++p) {
        std::string_view entry(*p);
        size_t eq = entry.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        // The first definition wins, as getenv() does.
        process.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    std::string path;
    bool named = true;
    std::string why;
    if (env_file) {
        path = *env_file;
        why = "--env-file";
    } else if (auto it = process.find(kEnvFileVariable); it != process.end()) {
        path = it->second;
        why = kEnvFileVariable;
    } else {
        path = kDefaultEnvFile;
        named = false;
    }
    if (named && path.empty())
        throw EnvError(why + ": is set but empty; name a .env file or unset it");
    std::optional<EnvFile> file;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        file = load_env_file(path);
    } else if (named) {
        throw EnvError(why + ": .env file not found: " + path);
    }
    return Environment(std::move(process), std::move(file));
}

Environment Environment::from_process(const std::optional<std::string> &env_file) {
    return load(environ, env_file);
}

std::optional<Variable> Environment::get(std::string_view name) const {
    const std::string key(name);
    if (auto it = process_.find(key); it != process_.end()) return Variable{key, it->second, {}, 0};
    if (file_)
        if (auto it = file_->entries.find(key); it != file_->entries.end())
            return Variable{key, it->second.value, file_->path, it->second.line};
    return std::nullopt;
}

std::vector<Variable> Environment::with_prefix(std::string_view prefix) const {
    std::map<std::string, Variable> merged;
    auto starts = [&](const std::string &n) { return n.compare(0, prefix.size(), prefix) == 0; };
    if (file_)
        for (const auto &[name, e] : file_->entries)
            if (starts(name)) merged[name] = Variable{name, e.value, file_->path, e.line};
    for (const auto &[name, value] : process_)
        if (starts(name)) merged[name] = Variable{name, value, {}, 0};
    std::vector<Variable> out;
    for (auto &[name, v] : merged)
        out.push_back(std::move(v));
    return out;
}

} // namespace fastmcp::env
