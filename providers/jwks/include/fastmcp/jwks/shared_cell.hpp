// A shared_ptr<const T> that one thread replaces while others read it: the snapshot "atomic swap".
// A mutex held only for the pointer copy (never during I/O), so readers never wait for a fetch.
// Chosen over std::atomic<std::shared_ptr> because libstdc++ 12's lock-bit implementation is
// opaque to ThreadSanitizer, and this costs one uncontended lock per read.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

namespace fastmcp::jwks {

template <class T> class SharedCell {
public:
    std::shared_ptr<const T> load() const {
        std::lock_guard lock(mutex_);
        return value_;
    }
    void store(std::shared_ptr<const T> value) {
        std::shared_ptr<const T> old;
        {
            std::lock_guard lock(mutex_);
            old = std::exchange(value_, std::move(value));
        }
        // `old` is released here, outside the lock.
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const T> value_;
};

} // namespace fastmcp::jwks
