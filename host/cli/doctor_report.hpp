// `fastmcp auth doctor`'s report: an ordered list of steps, each ok / warn / fail / skipped with a
// detail and, for anything not ok, a concrete fix. Printed as text (one line per step) or as the
// stable JSON object documented in docs/auth-doctor.md.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace fastmcp::cli::doctor {

enum class Status { Ok, Warn, Fail, Skipped };

const char *status_name(Status s); // "ok", "warn", "fail", "skipped" (the JSON values)

struct Step {
    std::string id;     // stable: env_file, provider, settings, discovery, jwks, registration,
                        // audience, probe, token
    Status status = Status::Ok;
    std::string detail; // what was found; never a secret or a token
    std::string fix;    // what to do; empty when status is ok
    nlohmann::ordered_json extra = nlohmann::ordered_json::object(); // step-specific fields (token)
};

class Report {
public:
    Step &add(Step step);
    Step &ok(std::string id, std::string detail);
    Step &warn(std::string id, std::string detail, std::string fix);
    Step &fail(std::string id, std::string detail, std::string fix);
    Step &skip(std::string id, std::string why);

    const Step *find(const std::string &id) const;
    bool passed(const std::string &id) const; // present and ok or warn
    bool any_failed() const;
    const std::vector<Step> &steps() const { return steps_; }

    // {"ok": bool, "steps": [{"id","status","detail","fix", ...extra}]}
    nlohmann::ordered_json to_json() const;
    // One line per step ("  ok       provider   ..."), fixes indented below, then a summary.
    void print_text() const;

private:
    std::vector<Step> steps_;
};

} // namespace fastmcp::cli::doctor
