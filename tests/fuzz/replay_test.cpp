// Replays every seed (corpus/<target>/) and every kept crash (regressions/<target>/) through the fuzz
// targets' entry functions. A broken invariant aborts, a sanitizer report fails the asan preset.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace fs = std::filesystem;

namespace {

// Runs `entry` on every regular file of `dir` (absent is fine); returns how many it ran.
int replay_dir(int (*entry)(const uint8_t *, size_t), const fs::path &dir) {
    int count = 0;
    if (!fs::is_directory(dir)) return 0;
    for (const auto &file : fs::directory_iterator(dir)) {
        if (!file.is_regular_file() || file.path().filename().string().front() == '.') continue;
        std::ifstream in(file.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        INFO("replaying ", file.path().string());
        CHECK(entry(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()) == 0);
        ++count;
    }
    return count;
}

void replay(const char *target, int (*entry)(const uint8_t *, size_t)) {
    const fs::path root = FASTMCP_FUZZ_DIR;
    CHECK(entry(nullptr, 0) == 0); // libFuzzer always tries the empty input first
    const int seeds = replay_dir(entry, root / "corpus" / target);
    replay_dir(entry, root / "regressions" / target);
    INFO("target ", target);
    CHECK(seeds >= 3); // every target keeps a handful of meaningful seeds
}

} // namespace

#define REPLAY_TARGET(name)                                                                             \
    extern "C" int fuzz_entry_##name(const uint8_t *, size_t);                                          \
    TEST_CASE("fuzz corpus replay: " #name) { replay(#name, fuzz_entry_##name); }

#include "replay_targets.inc"
