// Cold start of an MCP server: the time from spawning it to its first successful authenticated
// tools/call. The server must print "Listening on URL" on stdout (fastmcp run, the TypeScript peer);
// the URL is read from there, then the call is retried every 0.5 ms until it answers 200 with the
// echoed text. Prints one JSON object: {"runs_ms":[...],"median_ms":M}.
//
//   bench_cold_start --runs N --token-file F -- COMMAND [ARGS...]   (environment is inherited)
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char *kBody =
    R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"cold"}}})";

bool call_succeeds(const Poco::URI &uri, const std::string &token) {
    try {
        Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
        session.setTimeout(Poco::Timespan(2, 0));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json");
        request.set("Accept", "application/json, text/event-stream");
        if (!token.empty()) request.set("Authorization", "Bearer " + token);
        request.setContentLength(static_cast<std::streamsize>(std::char_traits<char>::length(kBody)));
        session.sendRequest(request) << kBody;
        Poco::Net::HTTPResponse response;
        std::istream &in = session.receiveResponse(response);
        std::string body(std::istreambuf_iterator<char>(in), {});
        return response.getStatus() == 200 && body.find("\"cold\"") != std::string::npos;
    } catch (...) {
        return false;
    }
}

// One run: spawn, read the URL from stdout, poll, stop the server. Returns milliseconds.
double one_run(char **command, const std::string &token) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const auto started = Clock::now();
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, command[0], &actions, nullptr, command, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) throw std::runtime_error(std::string("cannot spawn ") + command[0]);

    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    const std::string prefix = "Listening on ";
    const size_t at = line.find(prefix);
    double ms = -1;
    if (at != std::string::npos) {
        Poco::URI uri(line.substr(at + prefix.size()));
        const auto deadline = started + std::chrono::seconds(30);
        while (Clock::now() < deadline) {
            if (call_succeeds(uri, token)) {
                ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
                break;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
    }
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    close(out[0]);
    if (ms < 0) throw std::runtime_error("the server never answered a successful call (line: '" + line + "')");
    return ms;
}

} // namespace

int main(int argc, char **argv) {
    int runs = 5;
    std::string token_file;
    int i = 1;
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--") break;
        if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
        else if (a == "--token-file" && i + 1 < argc) token_file = argv[++i];
        else i = argc;
    }
    if (i + 1 >= argc || runs < 1) {
        std::fprintf(stderr, "usage: bench_cold_start --runs N [--token-file F] -- COMMAND [ARGS...]\n");
        return 2;
    }
    try {
        std::string token;
        if (!token_file.empty()) {
            std::ifstream in(token_file);
            std::getline(in, token);
            if (token.empty()) throw std::runtime_error("no token in " + token_file);
        }
        std::signal(SIGPIPE, SIG_IGN);
        std::vector<double> times;
        for (int r = 0; r < runs; ++r) times.push_back(one_run(argv + i + 1, token));
        std::vector<double> sorted = times;
        std::sort(sorted.begin(), sorted.end());
        std::printf("{\"runs_ms\":[");
        for (size_t k = 0; k < times.size(); ++k) std::printf("%s%.1f", k ? "," : "", times[k]);
        std::printf("],\"median_ms\":%.1f}\n", sorted[sorted.size() / 2]);
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_cold_start: %s\n", e.what());
        return 1;
    }
}
