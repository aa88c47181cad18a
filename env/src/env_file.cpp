#include "fastmcp/env/env_file.hpp"

#include "fastmcp/env/error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace fastmcp::env {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_space_tab(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

struct LineError {
    std::string message;
};

// After a closing quote only blanks or a `# comment` may follow.
void expect_end(std::string_view rest) {
    rest = trim_space_tab(rest);
    if (!rest.empty() && rest.front() != '#')
        throw LineError{"unexpected text after the closing quote: '" + std::string(rest) + "'"};
}

std::string parse_value(std::string_view raw) {
    std::string_view v = trim_space_tab(raw);
    if (v.empty()) return {};
    if (v.front() == '\'') {
        size_t close = v.find('\'', 1);
        if (close == std::string_view::npos) throw LineError{"unterminated single-quoted value"};
        expect_end(v.substr(close + 1));
        return std::string(v.substr(1, close - 1));
    }
    if (v.front() == '"') {
        std::string out;
        for (size_t i = 1; i < v.size(); ++i) {
            char c = v[i];
            if (c == '"') {
                expect_end(v.substr(i + 1));
                return out;
            }
            if (c == '\\' && i + 1 < v.size()) {
                char n = v[++i];
                switch (n) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                default: // unknown escapes stay as written
                    out += '\\';
                    out += n;
                }
                continue;
            }
            out += c;
        }
        throw LineError{"unterminated double-quoted value"};
    }
    // Unquoted: a '#' that follows a blank starts a comment; one inside a word is kept.
    for (size_t i = 1; i < v.size(); ++i)
        if (v[i] == '#' && is_space(v[i - 1])) {
            v = trim_space_tab(v.substr(0, i));
            break;
        }
    // `KEY= # note` is empty; `KEY=#x` is the value "#x" (no blank before the '#').
    if (v.front() == '#' && !raw.empty() && is_space(raw.front())) return {};
    return std::string(v);
}

} // namespace

EnvFile parse_env_text(std::string_view text, const std::string &path) {
    EnvFile file;
    file.path = path;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3); // UTF-8 BOM
    int line_no = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::string_view s = trim_space_tab(line);
        if (s.empty() || s.front() == '#') continue;
        try {
            if (s.substr(0, 6) == "export" && s.size() > 6 && is_space(s[6]))
                s = trim_space_tab(s.substr(7));
            size_t eq = s.find('=');
            if (eq == std::string_view::npos)
                throw LineError{"expected NAME=value, found '" + std::string(s) + "'"};
            std::string_view name = trim_space_tab(s.substr(0, eq));
            if (name.empty()) throw LineError{"missing variable name before '='"};
            bool ok = is_name_start(name.front());
            for (char c : name)
                ok = ok && is_name_char(c);
            if (!ok)
                throw LineError{"invalid variable name '" + std::string(name) +
                                "' (letters, digits and _ only, not starting with a digit)"};
            file.entries[std::string(name)] = FileEntry{parse_value(s.substr(eq + 1)), line_no};
        } catch (const LineError &e) {
            throw EnvError(path + ":" + std::to_string(line_no) + ": " + e.message);
        }
    }
    return file;
}

EnvFile load_env_file(const std::string &path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw EnvError(path + ": cannot read .env file: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw EnvError(path + ": cannot read .env file: not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw EnvError(path + ": cannot read .env file");
    std::ostringstream buf;
    buf << in.rdbuf();
    return parse_env_text(buf.str(), path);
}

} // namespace fastmcp::env
