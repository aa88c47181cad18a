#include "doctor_report.hpp"

#include "token_display.hpp"

#include <cstdio>

namespace fastmcp::cli::doctor {

const char *status_name(Status s) {
    switch (s) {
    case Status::Ok: return "ok";
    case Status::Warn: return "warn";
    case Status::Fail: return "fail";
    case Status::Skipped: return "skipped";
    }
    return "fail";
}

Step &Report::add(Step step) {
    steps_.push_back(std::move(step));
    return steps_.back();
}

Step &Report::ok(std::string id, std::string detail) {
    return add({std::move(id), Status::Ok, std::move(detail), {}, nlohmann::ordered_json::object()});
}

Step &Report::warn(std::string id, std::string detail, std::string fix) {
    return add({std::move(id), Status::Warn, std::move(detail), std::move(fix), nlohmann::ordered_json::object()});
}

Step &Report::fail(std::string id, std::string detail, std::string fix) {
    return add({std::move(id), Status::Fail, std::move(detail), std::move(fix), nlohmann::ordered_json::object()});
}

Step &Report::skip(std::string id, std::string why) {
    return add({std::move(id), Status::Skipped, std::move(why), {}, nlohmann::ordered_json::object()});
}

const Step *Report::find(const std::string &id) const {
    for (const auto &s : steps_)
        if (s.id == id) return &s;
    return nullptr;
}

bool Report::passed(const std::string &id) const {
    const Step *s = find(id);
    return s && (s->status == Status::Ok || s->status == Status::Warn);
}

bool Report::any_failed() const {
    for (const auto &s : steps_)
        if (s.status == Status::Fail) return true;
    return false;
}

nlohmann::ordered_json Report::to_json() const {
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const auto &s : steps_) {
        nlohmann::ordered_json j = {{"id", s.id},
                                    {"status", status_name(s.status)},
                                    {"detail", s.detail},
                                    {"fix", s.fix.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.fix)}};
        for (const auto &[k, v] : s.extra.items()) j[k] = v;
        steps.push_back(std::move(j));
    }
    return {{"ok", !any_failed()}, {"steps", steps}};
}

void Report::print_text() const {
    size_t warnings = 0, failures = 0;
    for (const auto &s : steps_) {
        const char *label = s.status == Status::Ok     ? "ok"
                            : s.status == Status::Warn ? "warn"
                            : s.status == Status::Fail ? "FAIL"
                                                       : "skipped";
        warnings += s.status == Status::Warn;
        failures += s.status == Status::Fail;
        std::printf("%-8s %-13s %s\n", label, s.id.c_str(), s.detail.c_str());
        // The token step carries the decoded token (signature elided), shown under its line.
        if (s.extra.contains("header")) {
            std::printf("%22sheader:\n", "");
            if (s.extra["header"].is_null()) std::printf("%24s(does not decode)\n", "");
            else print_indented(s.extra["header"], "                        ");
            std::printf("%22sclaims:\n", "");
            if (s.extra["claims"].is_null()) std::printf("%24s(does not decode)\n", "");
            else print_indented(s.extra["claims"], "                        ");
            if (s.extra.contains("times"))
                for (const auto &t : s.extra["times"]) std::printf("%24s%s\n", "", t.get<std::string>().c_str());
            if (s.extra.contains("signature"))
                std::printf("%22ssignature: %s\n", "", s.extra["signature"].get<std::string>().c_str());
        }
        if (!s.fix.empty()) std::printf("%22sfix: %s\n", "", s.fix.c_str());
    }
    std::printf("\n%s: %zu failed, %zu warning%s\n", failures ? "NOT OK" : "OK", failures, warnings,
                warnings == 1 ? "" : "s");
}

} // namespace fastmcp::cli::doctor
