#include "provider_fault_report.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace fastmcp::host {
namespace {

// Read by the signal handler: plain pointers in initial-exec/local-exec TLS of the executable are
// async-signal-safe to read.
thread_local const char *t_fault_label = nullptr;
thread_local const char *t_fault_call = nullptr;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
struct sigaction g_previous[NSIG];

const char *signal_name(int sig) {
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGILL:
        return "SIGILL";
    case SIGFPE:
        return "SIGFPE";
    case SIGABRT:
        return "SIGABRT";
    }
    return "fatal signal";
}

void put(const char *s) {
    size_t n = std::strlen(s);
    while (n > 0) {
        ssize_t w = ::write(STDERR_FILENO, s, n);
        if (w <= 0) return;
        s += w;
        n -= static_cast<size_t>(w);
    }
}

void on_fatal_signal(int sig, siginfo_t *info, void *) {
    const int saved_errno = errno;
    put("fastmcp: FATAL: ");
    put(signal_name(sig));
    if (t_fault_label) {
        put(" inside auth provider ");
        put(t_fault_label);
        put(" ");
        put(t_fault_call ? t_fault_call : "call");
        put("(); the server stops so that its supervisor can restart it\n");
    } else {
        put(" (not inside an auth provider call); the server stops\n");
    }
    // Hand the signal to whoever had it before (the default action, or a sanitizer's report).
    ::sigaction(sig, &g_previous[sig], nullptr);
    errno = saved_errno;
    // A hardware fault re-executes the faulting instruction on return and faults again under the
    // previous disposition; a signal that was sent (abort(), kill) has to be sent again.
    if (!info || info->si_code <= 0) ::raise(sig);
}

} // namespace

void install_provider_fault_reporter() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (int sig : kSignals) {
            struct sigaction sa {};
            sa.sa_sigaction = on_fatal_signal;
            sa.sa_flags = SA_SIGINFO;
            sigemptyset(&sa.sa_mask);
            ::sigaction(sig, &sa, &g_previous[sig]);
        }
    });
}

ProviderCallMarker::ProviderCallMarker(const std::string &label, const char *call)
    : previous_label_(t_fault_label), previous_call_(t_fault_call) {
    t_fault_label = label.c_str();
    t_fault_call = call;
}

ProviderCallMarker::~ProviderCallMarker() {
    t_fault_label = previous_label_;
    t_fault_call = previous_call_;
}

} // namespace fastmcp::host
