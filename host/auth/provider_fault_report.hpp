// Crash contract for provider code (docs/plugin-abi.md, "Faults"): a SIGSEGV/SIGBUS/SIGILL/SIGFPE/
// SIGABRT cannot be recovered from in-process (the provider's state, the heap and any lock it held
// are suspect), so the process dies. Before it does, a fatal-signal handler writes one line to
// stderr with async-signal-safe write(2), naming the provider and the call it was in, e.g.
//   fastmcp: FATAL: SIGSEGV inside auth provider HostTestProvider (/path/host_test.so) verify();
//   the server stops so that its supervisor can restart it
// and then lets the previous disposition (default: terminate, core dump; or a sanitizer's handler)
// take the signal, so the exit status is "killed by signal" (non-zero) and clients see a dropped
// connection, never a 200.
#pragma once

#include <string>

namespace fastmcp::host {

// Installs the handlers once (idempotent, thread-safe).
void install_provider_fault_reporter();

// Marks the current thread as running provider code for the lifetime of the object. `label` must
// outlive the marker (it is read from the signal handler): "Name (/path/module.so)".
class ProviderCallMarker {
public:
    ProviderCallMarker(const std::string &label, const char *call);
    ~ProviderCallMarker();
    ProviderCallMarker(const ProviderCallMarker &) = delete;
    ProviderCallMarker &operator=(const ProviderCallMarker &) = delete;

private:
    const char *previous_label_;
    const char *previous_call_;
};

} // namespace fastmcp::host
