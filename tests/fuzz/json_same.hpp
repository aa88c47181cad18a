// Two nlohmann trees with equal values of equal types all the way down (nlohmann's == takes
// 1u == 1 and 1 == 1.0): what parse_json must give back against nlohmann's own parse.
#pragma once

#include <nlohmann/json.hpp>

namespace fastmcp::fuzz {

inline bool same_tree(const nlohmann::json &a, const nlohmann::json &b) {
    if (a.type() != b.type()) return false;
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt)
            if (it.key() != jt.key() || !same_tree(*it, *jt)) return false;
        return true;
    }
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i)
            if (!same_tree(a[i], b[i])) return false;
        return true;
    }
    return a.dump() == b.dump();
}

} // namespace fastmcp::fuzz
