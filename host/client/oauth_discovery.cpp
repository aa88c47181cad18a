#include "oauth_discovery.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace fastmcp::client {
namespace {

std::string strip_trailing_slashes(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

std::string path_of(const std::string &url) {
    try {
        return strip_trailing_slashes(Poco::URI(url).getPath());
    } catch (const Poco::Exception &) {
        return {};
    }
}

} // namespace

std::string origin_of(const std::string &url) {
    try {
        Poco::URI u(url);
        u.normalize();
        std::string out = u.getScheme() + "://" + u.getHost();
        if (!u.getHost().empty() && u.getHost().find(':') != std::string::npos) out = u.getScheme() + "://[" + u.getHost() + "]";
        const unsigned port = u.getSpecifiedPort();
        const bool default_port = (u.getScheme() == "http" && port == 80) || (u.getScheme() == "https" && port == 443);
        if (port != 0 && !default_port) out += ":" + std::to_string(port);
        return out;
    } catch (const Poco::Exception &) {
        return {};
    }
}

std::vector<std::string> protected_resource_metadata_urls(const std::string &server_url) {
    const std::string origin = origin_of(server_url);
    const std::string path = path_of(server_url);
    std::vector<std::string> out;
    if (!path.empty()) out.push_back(origin + "/.well-known/oauth-protected-resource" + path);
    out.push_back(origin + "/.well-known/oauth-protected-resource");
    return out;
}

std::vector<std::string> authorization_server_metadata_urls(const std::string &issuer) {
    const std::string origin = origin_of(issuer);
    const std::string path = path_of(issuer);
    if (path.empty())
        return {origin + "/.well-known/oauth-authorization-server", origin + "/.well-known/openid-configuration"};
    return {origin + "/.well-known/oauth-authorization-server" + path,
            origin + "/.well-known/openid-configuration" + path,
            origin + path + "/.well-known/openid-configuration"};
}

bool resource_matches(const std::string &server_url, const std::string &resource) {
    if (resource.empty() || origin_of(server_url) != origin_of(resource) || origin_of(resource).empty()) return false;
    const std::string ours = path_of(server_url);
    const std::string theirs = path_of(resource);
    return theirs.empty() || ours == theirs || ours.rfind(theirs + "/", 0) == 0;
}

bool issuer_matches(const std::string &expected, const std::string &actual) {
    return !actual.empty() && strip_trailing_slashes(expected) == strip_trailing_slashes(actual);
}

} // namespace fastmcp::client
