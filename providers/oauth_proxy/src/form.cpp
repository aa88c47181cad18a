#include "fastmcp/oauth_proxy/form.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace fastmcp::oauth_proxy {

std::optional<Form> Form::parse(std::string_view encoded, std::string &error) {
    Form form;
    size_t pos = 0;
    while (pos <= encoded.size()) {
        size_t amp = encoded.find('&', pos);
        if (amp == std::string_view::npos) amp = encoded.size();
        std::string_view pair = encoded.substr(pos, amp - pos);
        pos = amp + 1;
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        std::string name, value;
        // Form encoding writes a space as '+' (a literal '+' is %2B): undo that before the escapes.
        auto plus_to_space = [](std::string_view in) {
            std::string s(in);
            for (auto &c : s)
                if (c == '+') c = ' ';
            return s;
        };
        try {
            Poco::URI::decode(plus_to_space(pair.substr(0, eq)), name);
            if (eq != std::string_view::npos)
                Poco::URI::decode(plus_to_space(pair.substr(eq + 1)), value);
        } catch (const Poco::Exception &) {
            error = "a parameter is not valid percent-encoding";
            return std::nullopt;
        }
        if (!form.values_.emplace(name, value).second) {
            error = "parameter '" + name + "' is repeated";
            return std::nullopt;
        }
    }
    return form;
}

const std::string &Form::get(const std::string &name) const {
    static const std::string empty;
    auto it = values_.find(name);
    return it == values_.end() ? empty : it->second;
}

std::string encode_form(const std::vector<std::pair<std::string, std::string>> &pairs) {
    // Unreserved characters stay; everything else, '+' and '&' and '=' included, is escaped.
    static const std::string kReserved = "!#$&'()*+,/:;=?@[]\"<>%{}|\\^` ";
    std::string out;
    for (const auto &[name, value] : pairs) {
        if (value.empty()) continue;
        if (!out.empty()) out += '&';
        std::string n, v;
        Poco::URI::encode(name, kReserved, n);
        Poco::URI::encode(value, kReserved, v);
        out += n;
        out += '=';
        out += v;
    }
    return out;
}

std::string append_query(std::string url, const std::vector<std::pair<std::string, std::string>> &pairs) {
    std::string q = encode_form(pairs);
    if (q.empty()) return url;
    const bool has_query = url.find('?') != std::string::npos;
    if (has_query && url.back() != '?' && url.back() != '&') url += '&';
    else if (!has_query) url += '?';
    return url + q;
}

} // namespace fastmcp::oauth_proxy
