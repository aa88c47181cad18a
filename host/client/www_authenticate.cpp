#include "www_authenticate.hpp"

#include <cctype>

namespace fastmcp::client {
namespace {

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string s) {
    for (auto &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

class Cursor {
public:
    explicit Cursor(std::string_view s) : s_(s) {}
    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }
    bool done() const { return i_ >= s_.size(); }
    char peek() const { return done() ? '\0' : s_[i_]; }
    void advance() { ++i_; }
    size_t pos() const { return i_; }
    void seek(size_t p) { i_ = p; }
    std::string token() {
        const size_t start = i_;
        while (i_ < s_.size() && is_token_char(s_[i_])) ++i_;
        return std::string(s_.substr(start, i_ - start));
    }
    // A quoted-string (with \-escapes) or a token68-ish bare value.
    std::optional<std::string> value() {
        if (peek() != '"') {
            std::string v;
            while (!done() && peek() != ',' && peek() != ' ' && peek() != '\t') v += s_[i_++];
            return v;
        }
        ++i_;
        std::string v;
        while (!done()) {
            char c = s_[i_++];
            if (c == '"') return v;
            if (c == '\\') {
                if (done()) return std::nullopt;
                c = s_[i_++];
            }
            v += c;
        }
        return std::nullopt; // unterminated
    }

private:
    std::string_view s_;
    size_t i_ = 0;
};

} // namespace

std::optional<BearerChallenge> parse_bearer_challenge(std::string_view header) {
    Cursor c(header);
    while (true) {
        c.skip_ws();
        while (c.peek() == ',') {
            c.advance();
            c.skip_ws();
        }
        if (c.done()) return std::nullopt;
        const std::string scheme = lower(c.token());
        if (scheme.empty()) return std::nullopt;
        BearerChallenge ch;
        // auth-params until the next scheme (a token not followed by '=').
        while (true) {
            c.skip_ws();
            while (c.peek() == ',') {
                c.advance();
                c.skip_ws();
            }
            if (c.done()) break;
            const size_t mark = c.pos();
            std::string name = c.token();
            c.skip_ws();
            if (name.empty() || c.peek() != '=') {
                c.seek(mark); // start of the next challenge
                break;
            }
            c.advance();
            c.skip_ws();
            auto v = c.value();
            if (!v) return std::nullopt;
            ch.params.emplace(lower(name), *v);
        }
        if (scheme == "bearer") return ch;
        if (c.done()) return std::nullopt;
    }
}

} // namespace fastmcp::client
