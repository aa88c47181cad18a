// Test support: a process's memory and descriptor figures from /proc (Linux).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fake_idp {

// A "VmRSS:", "VmHWM:"... line of /proc/PID/status in KiB; -1 when the process is gone.
inline int64_t proc_status_kib(pid_t pid, const std::string &field) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(field + ":", 0) == 0) return std::atoll(line.c_str() + field.size() + 1);
    return -1;
}

inline int64_t rss_kib(pid_t pid) { return proc_status_kib(pid, "VmRSS"); }
inline int64_t peak_rss_kib(pid_t pid) { return proc_status_kib(pid, "VmHWM"); }

// Open descriptors; -1 when the process is gone.
inline int fd_count(pid_t pid) {
    std::error_code ec;
    int n = 0;
    for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
         it.increment(ec))
        ++n;
    return ec ? -1 : n;
}

} // namespace fake_idp
