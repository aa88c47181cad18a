#include "matrix_case.hpp"

#include "fastmcp/env/env_file.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fastmcp::matrix {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_file(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void replace_all(std::string &s, const std::string &from, const std::string &to) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
}

json substitute_json(const json &j, const Paths &paths, const std::string &dir) {
    if (j.is_string()) return substitute(j.get<std::string>(), paths, dir);
    if (j.is_array() || j.is_object()) {
        json out = j;
        for (auto it = out.begin(); it != out.end(); ++it) *it = substitute_json(*it, paths, dir);
        return out;
    }
    return j;
}

} // namespace

std::string substitute(std::string s, const Paths &paths, const std::string &case_dir) {
    replace_all(s, "${PROVIDERS}", paths.providers);
    replace_all(s, "${TEST_PROVIDERS}", paths.test_providers);
    replace_all(s, "${CASE}", case_dir);
    return s;
}

Case load_case(const std::string &dir, const Paths &paths) {
    Case c;
    c.dir = fs::canonical(dir).string();
    c.name = fs::path(c.dir).filename().string();
    // A clean environment: nothing from the developer's shell leaks into a case.
    c.env["PATH"] = "/usr/bin:/bin";
    c.env["FASTMCP_PROVIDER_PATH"] = paths.test_providers;
    if (fs::exists(fs::path(c.dir) / "process.env")) {
        auto file = env::load_env_file((fs::path(c.dir) / "process.env").string());
        for (auto &[k, v] : file.entries) c.env[k] = substitute(v.value, paths, c.dir);
    }
    c.args = {"auth", "config", "--json"};
    if (fs::exists(fs::path(c.dir) / "args")) {
        c.args.clear();
        std::istringstream in(read_file(fs::path(c.dir) / "args"));
        for (std::string line; std::getline(in, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty() || line[0] == '#') continue;
            c.args.push_back(substitute(line, paths, c.dir));
        }
    }
    const fs::path expect = fs::path(c.dir) / "expect.json";
    if (!fs::exists(expect)) throw std::runtime_error(c.name + ": missing expect.json");
    json e = json::parse(read_file(expect), nullptr, false);
    if (!e.is_object() || !e.contains("exit") || !e["exit"].is_number_integer())
        throw std::runtime_error(c.name + ": expect.json must be an object with an integer \"exit\"");
    for (auto it = e.begin(); it != e.end(); ++it)
        if (it.key() != "exit" && it.key() != "json" && it.key() != "stdout_contains" && it.key() != "stderr_contains" &&
            it.key() != "stdout_excludes" && it.key() != "description")
            throw std::runtime_error(c.name + ": unknown key \"" + it.key() + "\" in expect.json");
    c.expect = substitute_json(e, paths, c.dir);
    return c;
}

std::string json_subset_mismatch(const json &expected, const json &actual, const std::string &where) {
    if (expected.is_object()) {
        if (!actual.is_object()) return where + ": expected an object, got " + actual.dump();
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            if (!actual.contains(it.key())) return where + "." + it.key() + ": missing";
            std::string m = json_subset_mismatch(*it, actual[it.key()], where + "." + it.key());
            if (!m.empty()) return m;
        }
        return {};
    }
    if (expected.is_array()) {
        if (!actual.is_array() || actual.size() != expected.size())
            return where + ": expected " + expected.dump() + ", got " + actual.dump();
        for (size_t i = 0; i < expected.size(); ++i) {
            std::string m = json_subset_mismatch(expected[i], actual[i], where + "[" + std::to_string(i) + "]");
            if (!m.empty()) return m;
        }
        return {};
    }
    if (expected != actual) return where + ": expected " + expected.dump() + ", got " + actual.dump();
    return {};
}

Outcome run_case(const Case &c, const Paths &paths, int timeout_s) {
    // Everything the child needs is prepared before fork (only async-signal-safe calls after).
    std::vector<std::string> argv_s = {paths.fastmcp};
    argv_s.insert(argv_s.end(), c.args.begin(), c.args.end());
    std::vector<std::string> envp_s;
    for (const auto &[k, v] : c.env) envp_s.push_back(k + "=" + v);
    std::vector<char *> argv, envp;
    for (auto &s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto &s : envp_s) envp.push_back(s.data());
    envp.push_back(nullptr);

    char out_tmpl[] = "/tmp/fastmcp-matrix-out-XXXXXX";
    char err_tmpl[] = "/tmp/fastmcp-matrix-err-XXXXXX";
    int out_fd = ::mkstemp(out_tmpl);
    int err_fd = ::mkstemp(err_tmpl);
    if (out_fd < 0 || err_fd < 0) return {false, "mkstemp failed"};
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::chdir(c.dir.c_str()) != 0) _exit(126);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    int status = 0;
    bool timed_out = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    for (;;) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) return {false, std::string("waitpid: ") + std::strerror(errno)};
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::close(out_fd);
    ::close(err_fd);
    const std::string out = read_file(out_tmpl), err = read_file(err_tmpl);
    ::unlink(out_tmpl);
    ::unlink(err_tmpl);
    if (timed_out) return {false, "timed out after " + std::to_string(timeout_s) + " s"};
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

    auto first_line = [](const std::string &s) { return s.substr(0, s.find('\n')); };
    if (code != c.expect["exit"].get<int>())
        return {false, "exit " + std::to_string(code) + ", expected " + std::to_string(c.expect["exit"].get<int>()) +
                           "; stderr: " + first_line(err)};
    if (c.expect.contains("json")) {
        json actual = json::parse(out, nullptr, false);
        if (actual.is_discarded()) return {false, "stdout is not JSON: " + first_line(out)};
        std::string m = json_subset_mismatch(c.expect["json"], actual);
        if (!m.empty()) return {false, m};
    }
    auto contains_all = [](const json &list, const std::string &text, const char *what) -> std::string {
        for (const auto &s : list)
            if (text.find(s.get<std::string>()) == std::string::npos)
                return std::string(what) + " lacks \"" + s.get<std::string>() + "\"";
        return {};
    };
    if (c.expect.contains("stdout_contains"))
        if (auto m = contains_all(c.expect["stdout_contains"], out, "stdout"); !m.empty()) return {false, m};
    if (c.expect.contains("stderr_contains"))
        if (auto m = contains_all(c.expect["stderr_contains"], err, "stderr"); !m.empty())
            return {false, m + "; stderr: " + first_line(err)};
    if (c.expect.contains("stdout_excludes"))
        for (const auto &s : c.expect["stdout_excludes"])
            if (out.find(s.get<std::string>()) != std::string::npos || err.find(s.get<std::string>()) != std::string::npos)
                return {false, "output contains \"" + s.get<std::string>() + "\""};
    return {true, {}};
}

} // namespace fastmcp::matrix
