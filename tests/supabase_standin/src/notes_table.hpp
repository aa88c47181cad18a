// The `notes` table in memory, with the row-level-security policy Supabase would apply:
//   using (owner = auth.jwt()->>'sub')  with check (owner = auth.jwt()->>'sub')
// so every read and write is scoped to the caller's `sub`. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace fastmcp::supabase_standin {

class NotesTable {
public:
    // The rows whose owner is `sub`, oldest first, as PostgREST returns them.
    nlohmann::json select_for(const std::string &sub) const;
    // Inserts a row owned by `sub`; returns it (Prefer: return=representation).
    nlohmann::json insert_for(const std::string &sub, const std::string &body, int64_t now_s);
    size_t size() const;

private:
    struct Row {
        int64_t id;
        std::string owner;
        std::string body;
        int64_t created_at;
    };
    static nlohmann::json to_json(const Row &row);

    mutable std::mutex mu_;
    std::vector<Row> rows_;
    int64_t next_id_ = 1;
};

} // namespace fastmcp::supabase_standin
