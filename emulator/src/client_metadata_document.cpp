#include "client_metadata_document.hpp"

#include "client_session.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>

#include <chrono>

namespace fastmcp::emulator {

bool cimd_url_allowed(const std::string &url) {
    try {
        const Poco::URI u(url);
        if (!u.getUserInfo().empty() || !u.getFragment().empty() || u.getHost().empty())
            return false;
        if (u.getScheme() == "https") return true;
        const std::string &h = u.getHost();
        return u.getScheme() == "http" && (h == "127.0.0.1" || h == "::1" || h == "localhost");
    } catch (const Poco::Exception &) {
        return false;
    }
}

CimdFetchResult fetch_cimd(const std::string &url) {
    CimdFetchResult out;
    if (!cimd_url_allowed(url)) {
        out.error = "client_id URL must be https (or http on loopback)";
        return out;
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kCimdTimeoutMs);
    try {
        const Poco::URI uri(url);
        auto session = net::open_client_session(uri, Poco::Timespan(0, kCimdTimeoutMs * 1000));
        if (!session) {
            out.error = "unsupported scheme";
            return out;
        }
        Poco::Net::HTTPRequest req("GET", uri.getPathEtc().empty() ? "/" : uri.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        req.set("Accept", "application/json");
        session->sendRequest(req);
        Poco::Net::HTTPResponse res;
        std::istream &body = session->receiveResponse(res);
        out.status = static_cast<int>(res.getStatus());
        if (out.status != 200) return out; // redirects are not followed
        char buf[1024];
        while (body) {
            body.read(buf, sizeof buf);
            out.body.append(buf, static_cast<size_t>(body.gcount()));
            if (out.body.size() > kMaxCimdBytes) {
                out = {};
                out.error = "document larger than " + std::to_string(kMaxCimdBytes) + " bytes";
                return out;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                out = {};
                out.error = "document fetch timed out";
                return out;
            }
        }
    } catch (const Poco::Exception &e) {
        out = {};
        out.error = e.displayText();
    }
    return out;
}

std::variant<CimdClient, std::string> validate_cimd(const std::string &url,
                                                    const std::string &body) {
    if (body.size() > kMaxCimdBytes) return std::string("document too large");
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (!doc.is_object()) return std::string("document is not a JSON object");
    if (doc.value("client_id", std::string()) != url)
        return std::string("the document's client_id is not its URL");
    // A document is public: no shared secret may be in it, and we accept only public clients.
    if (doc.contains("client_secret")) return std::string("the document contains a client_secret");
    const std::string method = doc.value("token_endpoint_auth_method", std::string("none"));
    if (method != "none")
        return std::string("unsupported token_endpoint_auth_method '" + method + "'");
    CimdClient c;
    const auto uris = doc.find("redirect_uris");
    if (uris == doc.end() || !uris->is_array() || uris->empty())
        return std::string("redirect_uris must be a non-empty array");
    for (const auto &u : *uris) {
        if (!u.is_string()) return std::string("redirect_uris must hold strings");
        try {
            const Poco::URI ru(u.get<std::string>());
            if (ru.getScheme().empty() || !ru.getFragment().empty())
                return std::string("a redirect URI is not absolute");
        } catch (const Poco::Exception &) {
            return std::string("a redirect URI is not a URI");
        }
        c.redirect_uris.push_back(u.get<std::string>());
    }
    c.grant_types = {"authorization_code"};
    if (auto g = doc.find("grant_types"); g != doc.end()) {
        if (!g->is_array()) return std::string("grant_types must be an array");
        c.grant_types.clear();
        for (const auto &t : *g) {
            if (t != "authorization_code" && t != "refresh_token")
                return std::string("unsupported grant type");
            c.grant_types.push_back(t.get<std::string>());
        }
    }
    return c;
}

} // namespace fastmcp::emulator
