#include "matrix_case.hpp"

#include "fastmcp/env/env_file.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fastmcp::matrix {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const std::set<std::string> kExpectKeys = {"description", "exit", "json", "stdout_contains", "stderr_contains",
                                           "stdout_excludes", "requests", "scratch"};
const std::set<std::string> kRequestKeys = {"description", "token", "method", "path", "rpc", "status",
                                            "body_contains", "www_authenticate_contains"};
const std::set<std::string> kScratchKeys = {"mode", "copy"};

std::string read_file(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void replace_all(std::string &s, const std::string &from, const std::string &to) {
    if (from.empty()) return;
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
}

json substitute_json(const json &j, const Paths &paths, const std::string &dir, const std::string &scratch) {
    if (j.is_string()) return substitute(j.get<std::string>(), paths, dir, scratch);
    if (j.is_array() || j.is_object()) {
        json out = j;
        for (auto it = out.begin(); it != out.end(); ++it) *it = substitute_json(*it, paths, dir, scratch);
        return out;
    }
    return j;
}

void check_keys(const json &object, const std::set<std::string> &allowed, const std::string &where) {
    if (!object.is_object()) throw std::runtime_error(where + " must be an object");
    for (auto it = object.begin(); it != object.end(); ++it)
        if (!allowed.count(it.key())) throw std::runtime_error("unknown key \"" + it.key() + "\" in " + where);
}

void check_strings(const json &e, const char *key, const std::string &where) {
    if (!e.contains(key)) return;
    const json &list = e[key];
    bool ok = list.is_array();
    for (const auto &s : list) ok = ok && s.is_string();
    if (!ok) throw std::runtime_error(where + "." + key + " must be a list of strings");
}

// Refuses a malformed expect.json up front, so a typo never passes silently.
void validate_expect(const json &e) {
    if (!e.is_object() || !e.contains("exit") || !e["exit"].is_number_integer())
        throw std::runtime_error("expect.json must be an object with an integer \"exit\"");
    check_keys(e, kExpectKeys, "expect.json");
    for (const char *k : {"stdout_contains", "stderr_contains", "stdout_excludes"}) check_strings(e, k, "expect.json");
    if (e.contains("requests")) {
        if (e.contains("json"))
            throw std::runtime_error("expect.json: \"json\" and \"requests\" do not combine (a running host prints "
                                     "no JSON document; check its configuration in a separate case)");
        if (!e["requests"].is_array() || e["requests"].empty())
            throw std::runtime_error("expect.json: \"requests\" must be a non-empty list");
        for (size_t i = 0; i < e["requests"].size(); ++i) {
            const json &r = e["requests"][i];
            const std::string where = "requests[" + std::to_string(i) + "]";
            check_keys(r, kRequestKeys, where);
            if (!r.contains("status") || !r["status"].is_number_integer())
                throw std::runtime_error(where + " needs an integer \"status\"");
            for (const char *k : {"token", "method", "path"})
                if (r.contains(k) && !r[k].is_string()) throw std::runtime_error(where + "." + k + " must be a string");
            if (r.contains("rpc") && !r["rpc"].is_string() && !r["rpc"].is_object())
                throw std::runtime_error(where + ".rpc must be a method name or an object");
            check_strings(r, "body_contains", where);
            check_strings(r, "www_authenticate_contains", where);
        }
    }
    if (e.contains("scratch")) {
        check_keys(e["scratch"], kScratchKeys, "scratch");
        if (e["scratch"].contains("copy") && !e["scratch"]["copy"].is_object())
            throw std::runtime_error("scratch.copy must map file names to source paths");
    }
}

fs::perms parse_mode(const json &mode, const std::string &what) {
    if (!mode.is_string()) throw std::runtime_error(what + " must be an octal string such as \"0755\"");
    const std::string text = mode.get<std::string>(); // `end` points into it: keep it alive
    char *end = nullptr;
    const long m = std::strtol(text.c_str(), &end, 8);
    if (text.empty() || *end || m < 0 || m > 07777) throw std::runtime_error(what + ": not an octal mode");
    return static_cast<fs::perms>(m);
}

// ${SCRATCH}: copies the listed files in (e.g. a provider module), then applies the mode to the
// directory itself (e.g. "0777" for the untrusted-path case).
void prepare_scratch(const Case &c, const json &scratch) {
    if (scratch.contains("copy"))
        for (auto it = scratch["copy"].begin(); it != scratch["copy"].end(); ++it) {
            if (!it->is_string() || it.key().find('/') != std::string::npos)
                throw std::runtime_error("scratch.copy: \"" + it.key() + "\" must be a plain file name mapped to a path");
            fs::copy_file(it->get<std::string>(), fs::path(c.scratch) / it.key());
        }
    if (scratch.contains("mode"))
        fs::permissions(c.scratch, parse_mode(scratch["mode"], "scratch.mode"), fs::perm_options::replace);
}

struct Child {
    pid_t pid = -1;
    std::string out_path, err_path;
};

// Starts `fastmcp <args>` in the case directory with the case's environment; stdout and stderr
// go to files (read while it runs, for the readiness line, and after it exits).
std::optional<Child> spawn(const Case &c, const Paths &paths, std::string &why) {
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
    const int out_fd = ::mkstemp(out_tmpl);
    const int err_fd = ::mkstemp(err_tmpl);
    if (out_fd < 0 || err_fd < 0) {
        why = "mkstemp failed";
        if (out_fd >= 0) ::close(out_fd), ::unlink(out_tmpl);
        if (err_fd >= 0) ::close(err_fd), ::unlink(err_tmpl);
        return std::nullopt;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::chdir(c.dir.c_str()) != 0) _exit(126);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    ::close(out_fd);
    ::close(err_fd);
    if (pid < 0) {
        why = std::string("fork: ") + std::strerror(errno);
        ::unlink(out_tmpl);
        ::unlink(err_tmpl);
        return std::nullopt;
    }
    return Child{pid, out_tmpl, err_tmpl};
}

// Waits for the child until `deadline`; nullopt when it is still running.
std::optional<int> wait_exit(pid_t pid, Clock::time_point deadline) {
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (r < 0 && errno != EINTR) return -1;
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string first_line(const std::string &s) { return s.substr(0, s.find('\n')); }

struct HttpResult {
    int status = 0;
    std::string www_authenticate, body, error;
};

HttpResult send_request(int port, const std::string &mcp_path, const json &r) {
    HttpResult out;
    try {
        Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
        session.setTimeout(Poco::Timespan(20, 0));
        const std::string method = r.value("method", std::string("POST"));
        Poco::Net::HTTPRequest request(method, r.value("path", mcp_path), Poco::Net::HTTPMessage::HTTP_1_1);
        request.set("Accept", "application/json, text/event-stream");
        if (r.contains("token")) request.set("Authorization", "Bearer " + r["token"].get<std::string>());
        std::string body;
        if (method == "POST") {
            body = rpc_body(r);
            request.setContentType("application/json");
            request.setContentLength(static_cast<std::streamsize>(body.size()));
        }
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream &in = session.receiveResponse(response);
        Poco::StreamCopier::copyToString(in, out.body);
        out.status = static_cast<int>(response.getStatus());
        out.www_authenticate = response.get("WWW-Authenticate", "");
    } catch (const Poco::Exception &e) {
        out.error = e.displayText();
    } catch (const std::exception &e) {
        out.error = e.what();
    }
    return out;
}

// Sends every request of the case in order; "" or the first mismatch.
std::string probe(const Case &c, const ReadyLine &ready) {
    const json &requests = c.expect["requests"];
    for (size_t i = 0; i < requests.size(); ++i) {
        const json &r = requests[i];
        const std::string where = "requests[" + std::to_string(i) + "]";
        const HttpResult got = send_request(ready.port, ready.path, r);
        if (!got.error.empty()) return where + ": " + got.error;
        if (got.status != r["status"].get<int>())
            return where + ": HTTP " + std::to_string(got.status) + ", expected " + std::to_string(r["status"].get<int>()) +
                   "; body: " + first_line(got.body);
        for (const auto &s : r.value("body_contains", json::array()))
            if (got.body.find(s.get<std::string>()) == std::string::npos)
                return where + ": body lacks \"" + s.get<std::string>() + "\"; body: " + first_line(got.body);
        for (const auto &s : r.value("www_authenticate_contains", json::array()))
            if (got.www_authenticate.find(s.get<std::string>()) == std::string::npos)
                return where + ": WWW-Authenticate lacks \"" + s.get<std::string>() + "\"; got: " + got.www_authenticate;
    }
    return {};
}

} // namespace

std::string substitute(std::string s, const Paths &paths, const std::string &case_dir, const std::string &scratch) {
    replace_all(s, "${PROVIDERS}", paths.providers);
    replace_all(s, "${TEST_PROVIDERS}", paths.test_providers);
    replace_all(s, "${CASE}", case_dir);
    if (!scratch.empty()) replace_all(s, "${SCRATCH}", scratch);
    return s;
}

ReadyLine find_ready_line(const std::string &text) {
    static const std::string kPrefix = "Listening on http://";
    const size_t start = text.find(kPrefix);
    if (start == std::string::npos) return {};
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) return {};
    const std::string url = text.substr(start + kPrefix.size(), end - start - kPrefix.size());
    const size_t slash = url.find('/');
    const std::string authority = url.substr(0, slash);
    const size_t colon = authority.rfind(':');
    if (colon == std::string::npos) return {};
    ReadyLine r;
    r.port = std::atoi(authority.c_str() + colon + 1);
    r.path = slash == std::string::npos ? "/" : url.substr(slash);
    if (r.port <= 0 || r.port > 65535) return {};
    return r;
}

std::string rpc_body(const json &request) {
    json body = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}};
    if (request.contains("rpc")) {
        const json &rpc = request["rpc"];
        if (rpc.is_string()) body["method"] = rpc;
        else
            for (auto it = rpc.begin(); it != rpc.end(); ++it) body[it.key()] = *it;
    }
    return body.dump();
}

Case load_case(const std::string &dir, const Paths &paths) {
    Case c;
    c.dir = fs::canonical(dir).string();
    c.name = fs::path(c.dir).filename().string();
    const fs::path expect = fs::path(c.dir) / "expect.json";
    if (!fs::exists(expect)) throw std::runtime_error("missing expect.json");
    const json e = json::parse(read_file(expect), nullptr, false);
    if (e.is_discarded()) throw std::runtime_error("expect.json is not valid JSON");
    validate_expect(e);
    if (e.contains("scratch")) {
        char tmpl[] = "/tmp/fastmcp-matrix-scratch-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        c.scratch = tmpl;
    }
    try {
        // A clean environment: nothing from the developer's shell leaks into a case.
        c.env["PATH"] = "/usr/bin:/bin";
        // The test modules when given (this repository's cases), else the real ones (a user's CI).
        if (!paths.test_providers.empty()) c.env["FASTMCP_PROVIDER_PATH"] = paths.test_providers;
        else if (!paths.providers.empty()) c.env["FASTMCP_PROVIDER_PATH"] = paths.providers;
        if (fs::exists(fs::path(c.dir) / "process.env")) {
            auto file = env::load_env_file((fs::path(c.dir) / "process.env").string());
            for (auto &[k, v] : file.entries) c.env[k] = substitute(v.value, paths, c.dir, c.scratch);
        }
        c.args = e.contains("requests")
                     ? std::vector<std::string>{"run", "--transport", "http", "--host", "127.0.0.1", "--port", "0"}
                     : std::vector<std::string>{"auth", "config", "--json"};
        if (fs::exists(fs::path(c.dir) / "args")) {
            c.args.clear();
            std::istringstream in(read_file(fs::path(c.dir) / "args"));
            for (std::string line; std::getline(in, line);) {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (line.empty() || line[0] == '#') continue;
                c.args.push_back(substitute(line, paths, c.dir, c.scratch));
            }
        }
        c.expect = substitute_json(e, paths, c.dir, c.scratch);
        if (e.contains("scratch")) prepare_scratch(c, c.expect["scratch"]);
    } catch (...) {
        remove_scratch(c);
        throw;
    }
    return c;
}

void remove_scratch(const Case &c) {
    if (c.scratch.empty()) return;
    std::error_code ec;
    fs::permissions(c.scratch, fs::perms::owner_all, fs::perm_options::replace, ec);
    fs::remove_all(c.scratch, ec);
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
    std::string why;
    const auto child = spawn(c, paths, why);
    if (!child) return {false, why};
    const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);

    std::optional<int> code;
    std::string probe_mismatch;
    if (c.serves()) {
        // Wait for the readiness line (the OS picked the port), probe, then stop it as an operator
        // would (SIGTERM: drain and exit 0).
        ReadyLine ready;
        while (!(code = wait_exit(child->pid, Clock::now())) && Clock::now() < deadline) {
            ready = find_ready_line(read_file(child->out_path));
            if (ready.port) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (ready.port) {
            probe_mismatch = probe(c, ready);
            ::kill(child->pid, SIGTERM);
        } else if (!code) {
            probe_mismatch = "no readiness line within " + std::to_string(timeout_s) + " s";
        } else {
            probe_mismatch = "exited with " + std::to_string(*code) + " before listening";
        }
    }
    if (!code) code = wait_exit(child->pid, deadline);
    const bool timed_out = !code;
    if (timed_out) {
        ::kill(child->pid, SIGKILL);
        code = wait_exit(child->pid, Clock::now() + std::chrono::seconds(10));
    }
    const std::string out = read_file(child->out_path), err = read_file(child->err_path);
    ::unlink(child->out_path.c_str());
    ::unlink(child->err_path.c_str());
    if (!probe_mismatch.empty()) return {false, probe_mismatch + "; stderr: " + first_line(err)};
    if (timed_out) return {false, "timed out after " + std::to_string(timeout_s) + " s"};

    if (*code != c.expect["exit"].get<int>())
        return {false, "exit " + std::to_string(*code) + ", expected " + std::to_string(c.expect["exit"].get<int>()) +
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
