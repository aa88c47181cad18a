// An allocator for one object type that keeps freed blocks on a short per-thread list for reuse.
// For objects made once per request that are larger than glibc's per-thread cache (1,032 bytes):
// HttpExchange (two Poco message objects) is 1.2 KB. Such a malloc goes to the shared bins and
// first consolidates every small chunk freed since (malloc_consolidate), which once 10,000 idle
// connections have fragmented the heap cost the busy ones a third of the loop's time.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace fastmcp::host {

template <class T> class RecyclingAllocator {
  public:
    using value_type = T;
    RecyclingAllocator() = default;
    template <class U> RecyclingAllocator(const RecyclingAllocator<U> &) {}

    T *allocate(std::size_t n) {
        auto &spare = spare_blocks();
        if (n == 1 && !spare.blocks.empty()) {
            void *p = spare.blocks.back();
            spare.blocks.pop_back();
            return static_cast<T *>(p);
        }
        return static_cast<T *>(::operator new(n * sizeof(T)));
    }
    // Any thread (the last owner may be a pool thread): the block joins that thread's list.
    void deallocate(T *p, std::size_t n) {
        auto &spare = spare_blocks();
        if (n == 1 && spare.blocks.size() < kMaxSpare) {
            spare.blocks.push_back(p);
            return;
        }
        ::operator delete(p);
    }
    template <class U> bool operator==(const RecyclingAllocator<U> &) const { return true; }
    template <class U> bool operator!=(const RecyclingAllocator<U> &) const { return false; }

  private:
    static constexpr std::size_t kMaxSpare = 64;
    struct Spare {
        std::vector<void *> blocks;
        ~Spare() {
            for (void *p : blocks)
                ::operator delete(p);
        }
    };
    static Spare &spare_blocks() {
        thread_local Spare spare;
        return spare;
    }
};

} // namespace fastmcp::host
