// fastmcp-matrix CASES_DIR --fastmcp BIN [--providers DIR] [--test-providers DIR] [--jobs N]
//                [--filter SUBSTR] [--timeout S]
// Runs every case directory under CASES_DIR in parallel; prints one line per case (in name order)
// and a final line "N passed, N failed". Exit 0 only when every case passed. A case either runs a
// command to completion (default `auth config --json`) or, when it lists "requests", starts
// `fastmcp run` on an OS-picked port and probes it (see ../README.md).
#include "matrix_case.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

using namespace fastmcp::matrix;
namespace fs = std::filesystem;

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fputs("usage: fastmcp-matrix CASES_DIR --fastmcp BIN [--providers DIR] [--test-providers DIR] "
                   "[--jobs N] [--filter SUBSTR] [--timeout S]\n",
                   stderr);
        return 2;
    }
    std::string cases_dir = argv[1], filter;
    Paths paths;
    unsigned jobs = std::max(2u, std::thread::hardware_concurrency());
    int timeout_s = 60;
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string a = argv[i], v = argv[i + 1];
        if (a == "--fastmcp") paths.fastmcp = fs::absolute(v).string();
        else if (a == "--providers") paths.providers = fs::absolute(v).string();
        else if (a == "--test-providers") paths.test_providers = fs::absolute(v).string();
        else if (a == "--jobs") jobs = static_cast<unsigned>(std::max(1, std::stoi(v)));
        else if (a == "--filter") filter = v;
        else if (a == "--timeout") timeout_s = std::stoi(v);
        else {
            std::fprintf(stderr, "fastmcp-matrix: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (paths.fastmcp.empty()) {
        std::fputs("fastmcp-matrix: --fastmcp BIN is required\n", stderr);
        return 2;
    }
    std::vector<std::string> dirs;
    for (const auto &e : fs::directory_iterator(cases_dir))
        if (e.is_directory() && e.path().filename().string().find(filter) != std::string::npos)
            dirs.push_back(e.path().string());
    std::sort(dirs.begin(), dirs.end());

    std::vector<Outcome> results(dirs.size());
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < std::min<size_t>(jobs, dirs.size()); ++t)
        pool.emplace_back([&] {
            for (size_t i; (i = next++) < dirs.size();) {
                try {
                    const Case c = load_case(dirs[i], paths);
                    results[i] = run_case(c, paths, timeout_s);
                    remove_scratch(c);
                } catch (const std::exception &e) {
                    results[i] = {false, std::string("bad case: ") + e.what()};
                }
            }
        });
    for (auto &t : pool) t.join();

    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < dirs.size(); ++i) {
        const std::string name = fs::path(dirs[i]).filename().string();
        if (results[i].passed) {
            ++passed;
            std::printf("PASS %s\n", name.c_str());
        } else {
            ++failed;
            std::printf("FAIL %s: %s\n", name.c_str(), results[i].why.c_str());
        }
    }
    std::printf("%zu passed, %zu failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
