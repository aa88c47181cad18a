#include "supabase_rest.hpp"

#include "client_session.hpp"
#include "fastmcp/env/error.hpp"
#include "fastmcp/env/url.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <memory>

namespace supabase_notes {
namespace {

constexpr int kTimeoutSeconds = 10;
constexpr size_t kMaxResponseBytes = 1 << 20;

// Whatever Supabase said, the caller's token must never travel back into a tool result.
std::string without_token(std::string text, std::string_view token) {
    if (token.empty()) return text;
    for (size_t at; (at = text.find(token)) != std::string::npos;)
        text.replace(at, token.size(), "[token]");
    return text;
}

// "401: JWT expired (PGRST301)" from PostgREST's {"code","message","hint","details"} or the
// gateway's {"message","hint"}; the raw body (bounded) when it is neither.
std::string describe_error(int status, const std::string &body) {
    std::string out = "Supabase answered HTTP " + std::to_string(status);
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) {
        out += ": " + j["message"].get<std::string>();
        if (j.contains("code") && j["code"].is_string())
            out += " (" + j["code"].get<std::string>() + ")";
        if (j.contains("hint") && j["hint"].is_string())
            out += ". Hint: " + j["hint"].get<std::string>();
    } else if (!body.empty()) {
        out += ": " + body.substr(0, 300);
    }
    return out;
}

} // namespace

std::string validate_config(std::optional<std::string> url, std::optional<std::string> anon_key,
                            SupabaseConfig &out) {
    if (!url || url->empty())
        return "SUPABASE_URL is not set: set it (environment or .env) to your project URL, e.g. "
               "https://<project>.supabase.co";
    if (!anon_key || anon_key->empty())
        return "SUPABASE_ANON_KEY is not set: set it (environment or .env) to the project's anon "
               "(publishable) key";
    try {
        auto parsed = fastmcp::env::parse_url(*url);
        out.url = parsed.url;
    } catch (const fastmcp::env::ValueError &e) {
        return std::string("SUPABASE_URL: ") + e.what();
    }
    out.anon_key = *anon_key;
    return {};
}

RestResult rest_call(const SupabaseConfig &config, std::string_view table_and_query,
                     std::string_view bearer, const std::string &json_body) {
    RestResult out;
    const std::string url = config.url + "/rest/v1/" + std::string(table_and_query);
    try {
        Poco::URI uri(url);
        // https with the system CA store and host name check; http only for loopback (checked
        // when SUPABASE_URL was read).
        auto session = fastmcp::net::open_client_session(uri, Poco::Timespan(kTimeoutSeconds, 0));
        if (!session) {
            out.error = "SUPABASE_URL is neither http nor https";
            return out;
        }

        const bool post = !json_body.empty();
        Poco::Net::HTTPRequest req(post ? "POST" : "GET", uri.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        req.set("apikey", config.anon_key);
        req.set("Authorization", "Bearer " + std::string(bearer)); // the user's token, unchanged
        req.set("Accept", "application/json");
        req.set("User-Agent", "fastmcp-cpp supabase_notes");
        if (post) {
            req.setContentType("application/json");
            req.set("Prefer", "return=representation");
            req.setContentLength(static_cast<std::streamsize>(json_body.size()));
        }
        session->sendRequest(req) << json_body;

        Poco::Net::HTTPResponse res;
        std::istream &in = session->receiveResponse(res);
        std::string body;
        char buf[16384];
        while (in) {
            in.read(buf, sizeof buf);
            body.append(buf, static_cast<size_t>(in.gcount()));
            if (body.size() > kMaxResponseBytes) {
                out.error = "Supabase's answer is larger than " +
                            std::to_string(kMaxResponseBytes) + " bytes";
                return out;
            }
        }
        out.status = static_cast<int>(res.getStatus());
        if (out.status < 200 || out.status > 299) {
            out.error = without_token(describe_error(out.status, body), bearer);
            return out;
        }
        out.body = body.empty() ? nlohmann::json() : nlohmann::json::parse(body, nullptr, false);
        if (out.body.is_discarded()) {
            out.error = "Supabase answered HTTP " + std::to_string(out.status) +
                        " with a body that is not JSON";
            return out;
        }
        out.ok = true;
    } catch (const Poco::Exception &e) {
        out.error = without_token("cannot reach Supabase at " + config.url + ": " + e.displayText(),
                                  bearer);
    } catch (const std::exception &e) {
        out.error =
            without_token("cannot reach Supabase at " + config.url + ": " + e.what(), bearer);
    }
    return out;
}

} // namespace supabase_notes
