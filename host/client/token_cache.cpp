#include "token_cache.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace fastmcp::client {
namespace {

std::string sha256_hex(const std::string &s) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += digits[md[i] >> 4];
        out += digits[md[i] & 15];
    }
    return out;
}

// mkdir -p with mode 0700 for the directories we create; existing ones are left as they are.
void make_private_dirs(const std::string &path) {
    for (size_t pos = 1; pos <= path.size(); ++pos) {
        if (pos != path.size() && path[pos] != '/') continue;
        const std::string part = path.substr(0, pos);
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
            throw std::runtime_error("cannot create " + part + ": " + std::strerror(errno));
    }
}

} // namespace

std::string default_config_dir() {
    if (const char *xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg == '/') return std::string(xdg) + "/fastmcp";
    const char *home = std::getenv("HOME");
    if (!home || !*home) throw std::runtime_error("neither XDG_CONFIG_HOME nor HOME is set");
    return std::string(home) + "/.config/fastmcp";
}

std::string canonical_server_url(const std::string &url) {
    try {
        Poco::URI u(url);
        u.normalize();
        std::string path = u.getPath();
        while (path.size() > 1 && path.back() == '/') path.pop_back();
        if (path == "/") path.clear();
        u.setPath(path);
        u.setFragment("");
        return u.toString();
    } catch (const Poco::Exception &) {
        return url;
    }
}

std::string TokenCache::path_for(const std::string &server_url) const {
    return dir_ + "/tokens/" + sha256_hex(canonical_server_url(server_url)).substr(0, 32) + ".json";
}

std::optional<CachedTokens> TokenCache::load(const std::string &server_url) const {
    std::ifstream in(path_for(server_url));
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    const auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (!j.is_object()) return std::nullopt;
    CachedTokens t;
    try {
        t.server_url = j.value("server_url", "");
        t.issuer = j.value("issuer", "");
        t.token_endpoint = j.value("token_endpoint", "");
        t.client_id = j.value("client_id", "");
        t.client_secret = j.value("client_secret", "");
        t.auth_method = j.value("auth_method", "none");
        t.resource = j.value("resource", "");
        t.access_token = j.value("access_token", "");
        t.refresh_token = j.value("refresh_token", "");
        t.scope = j.value("scope", "");
        t.expires_at = j.value("expires_at", int64_t{0});
    } catch (const nlohmann::json::exception &) {
        return std::nullopt;
    }
    // A file for another server (hash collision or hand edit) is ignored.
    if (canonical_server_url(t.server_url) != canonical_server_url(server_url)) return std::nullopt;
    return t;
}

void TokenCache::save(const CachedTokens &t) const {
    make_private_dirs(dir_ + "/tokens");
    const nlohmann::json j = {{"server_url", t.server_url},   {"issuer", t.issuer},
                              {"token_endpoint", t.token_endpoint}, {"client_id", t.client_id},
                              {"client_secret", t.client_secret}, {"auth_method", t.auth_method},
                              {"resource", t.resource},       {"access_token", t.access_token},
                              {"refresh_token", t.refresh_token}, {"scope", t.scope},
                              {"expires_at", t.expires_at}};
    const std::string data = j.dump(2) + "\n";
    const std::string path = path_for(t.server_url);
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    // 0600 from the first byte: the file is created with that mode, never chmod'ed afterwards.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
    ::fchmod(fd, 0600); // O_TRUNC of a pre-existing file keeps its old mode
    size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
        }
        off += static_cast<size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot replace " + path + ": " + std::strerror(errno));
    }
}

void TokenCache::erase(const std::string &server_url) const { ::unlink(path_for(server_url).c_str()); }

} // namespace fastmcp::client
