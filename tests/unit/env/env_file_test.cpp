// .env syntax: every rule of issue 2, valid and invalid.
#include "fastmcp/env/env_file.hpp"
#include "fastmcp/env/error.hpp"

#include <doctest/doctest.h>

#include <string>

using fastmcp::env::EnvError;
using fastmcp::env::EnvFile;
using fastmcp::env::parse_env_text;

namespace {
std::string value_of(const EnvFile &f, const std::string &name) {
    auto it = f.entries.find(name);
    REQUIRE_MESSAGE(it != f.entries.end(), "missing " << name);
    return it->second.value;
}
std::string one(const std::string &line) { return value_of(parse_env_text(line, "t.env"), "K"); }
std::string error_of(const std::string &text) {
    try {
        parse_env_text(text, "conf/x.env");
    } catch (const EnvError &e) {
        return e.what();
    }
    FAIL("expected an EnvError for: " << text);
    return {};
}
} // namespace

TEST_CASE("plain KEY=value and line numbers") {
    EnvFile f = parse_env_text("A=1\n\nB=two\n", "t.env");
    CHECK(value_of(f, "A") == "1");
    CHECK(value_of(f, "B") == "two");
    CHECK(f.entries.at("A").line == 1);
    CHECK(f.entries.at("B").line == 3);
    CHECK(f.path == "t.env");
}

TEST_CASE("export prefix") {
    CHECK(one("export K=v") == "v");
    CHECK(one("export   K=v") == "v");
    CHECK(one("export\tK=v") == "v");
    // a variable that is itself called "exportK" is not an export
    EnvFile f = parse_env_text("exportK=v", "t.env");
    CHECK(value_of(f, "exportK") == "v");
}

TEST_CASE("comments: whole-line and after unquoted values") {
    EnvFile f = parse_env_text("# a comment\n   # indented comment\nK=v # trailing\n", "t.env");
    CHECK(f.entries.size() == 1);
    CHECK(value_of(f, "K") == "v");
    CHECK(one("K=v\t# tab comment") == "v");
    CHECK(one("K=a#b") == "a#b");       // '#' inside a word is data
    CHECK(one("K=#notacomment") == "#notacomment");
    CHECK(one("K= # only a comment") == "");
    CHECK(one("K='a # b' # c") == "a # b"); // '#' inside quotes is data
    CHECK(one("K=\"a # b\" # c") == "a # b");
}

TEST_CASE("single-quoted values are literal") {
    CHECK(one("K='a\\nb'") == "a\\nb");
    CHECK(one("K='  spaced  '") == "  spaced  ");
    CHECK(one("K='say \"hi\"'") == "say \"hi\"");
    CHECK(one("K=''") == "");
}

TEST_CASE("double-quoted values with escapes") {
    CHECK(one("K=\"a\\nb\"") == "a\nb");
    CHECK(one("K=\"a\\tb\"") == "a\tb");
    CHECK(one("K=\"say \\\"hi\\\"\"") == "say \"hi\"");
    CHECK(one("K=\"back\\\\slash\"") == "back\\slash");
    CHECK(one("K=\"  spaced  \"") == "  spaced  ");
    CHECK(one("K=\"keep\\xunknown\"") == "keep\\xunknown");
    CHECK(one("K=\"\"") == "");
}

TEST_CASE("unquoted values and surrounding whitespace are trimmed") {
    CHECK(one("K=  value  ") == "value");
    CHECK(one("  K  =  value with spaces  ") == "value with spaces");
    CHECK(one("K=a=b=c") == "a=b=c");
    CHECK(one("K=https://x.example/p?q") == "https://x.example/p?q");
}

TEST_CASE("empty values") {
    CHECK(one("K=") == "");
    CHECK(one("K=   ") == "");
}

TEST_CASE("CRLF line endings") {
    EnvFile f = parse_env_text("A=1\r\nB='two'\r\nC=\"three\"\r\n", "t.env");
    CHECK(value_of(f, "A") == "1");
    CHECK(value_of(f, "B") == "two");
    CHECK(value_of(f, "C") == "three");
}

TEST_CASE("UTF-8 BOM is skipped") {
    EnvFile f = parse_env_text("\xEF\xBB\xBF" "A=1\nB=\xC3\xA9t\xC3\xA9\n", "t.env");
    CHECK(value_of(f, "A") == "1");
    CHECK(value_of(f, "B") == "\xC3\xA9t\xC3\xA9");
}

TEST_CASE("names are case-sensitive; a later assignment wins") {
    EnvFile f = parse_env_text("k=lower\nK=upper\nK=again\n", "t.env");
    CHECK(value_of(f, "k") == "lower");
    CHECK(value_of(f, "K") == "again");
    CHECK(f.entries.at("K").line == 3);
}

TEST_CASE("malformed lines are errors naming the file and line") {
    CHECK(error_of("A=1\nnot an assignment\n") == "conf/x.env:2: expected NAME=value, found 'not an assignment'");
    CHECK(error_of("A=1\n\n=value\n").find("conf/x.env:3: missing variable name") == 0);
    CHECK(error_of("1BAD=x").find("conf/x.env:1: invalid variable name '1BAD'") == 0);
    CHECK(error_of("BAD-NAME=x").find("conf/x.env:1: invalid variable name") == 0);
    CHECK(error_of("A='unterminated").find("conf/x.env:1: unterminated single-quoted value") == 0);
    CHECK(error_of("A=\"unterminated").find("conf/x.env:1: unterminated double-quoted value") == 0);
    CHECK(error_of("A='x' trailing").find("conf/x.env:1: unexpected text after the closing quote") == 0);
    CHECK(error_of("A=\"x\"y").find("conf/x.env:1: unexpected text after the closing quote") == 0);
    CHECK(error_of("export\n").find("conf/x.env:1:") == 0);
    CHECK(error_of("A=1\r\nB\r\n").find("conf/x.env:2:") == 0);
}

TEST_CASE("load_env_file: missing file is an error naming it") {
    try {
        fastmcp::env::load_env_file("/nonexistent/dir/.env");
        FAIL("expected EnvError");
    } catch (const EnvError &e) {
        CHECK(std::string(e.what()).find("/nonexistent/dir/.env") == 0);
    }
}
