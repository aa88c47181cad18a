#include "notes_table.hpp"

#include <ctime>

namespace fastmcp::supabase_standin {

nlohmann::json NotesTable::to_json(const Row &row) {
    char when[32];
    const std::time_t t = static_cast<std::time_t>(row.created_at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    return {{"id", row.id}, {"owner", row.owner}, {"body", row.body}, {"created_at", when}};
}

nlohmann::json NotesTable::select_for(const std::string &sub) const {
    nlohmann::json out = nlohmann::json::array();
    std::lock_guard lock(mu_);
    for (const auto &row : rows_)
        if (!sub.empty() && row.owner == sub) out.push_back(to_json(row));
    return out;
}

nlohmann::json NotesTable::insert_for(const std::string &sub, const std::string &body, int64_t now_s) {
    std::lock_guard lock(mu_);
    rows_.push_back({next_id_++, sub, body, now_s});
    return to_json(rows_.back());
}

size_t NotesTable::size() const {
    std::lock_guard lock(mu_);
    return rows_.size();
}

} // namespace fastmcp::supabase_standin
