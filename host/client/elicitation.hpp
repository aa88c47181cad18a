// Answering a server's `elicitation/create` (form mode): without a terminal by policy
// (--elicitation accept-defaults|decline|cancel), or by asking the user field by field.
// SEP-1034: accept-defaults fills every field that has a `default`; SEP-1330: enum forms (`enum`,
// legacy `enumNames`, titled `oneOf`/`anyOf` of `const`, and arrays of those for multi-select).
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fastmcp::client {

enum class ElicitationMode { Ask, AcceptDefaults, Decline, Cancel };

// "accept-defaults" | "decline" | "cancel" | "ask"; nullopt for anything else.
std::optional<ElicitationMode> elicitation_mode_from(const std::string &name);

// The choices of an enum field (single or multi-select): (value, label) pairs.
std::vector<std::pair<nlohmann::json, std::string>> enum_options(const nlohmann::json &property);

// The content built from the schema's defaults; nullopt when a required field has no default
// (accepting would send a form the server cannot use).
std::optional<nlohmann::json> default_content(const nlohmann::json &requested_schema);

// The elicitation result ({"action": ..., "content": ...}) for the request's params. Ask reads
// answers from `in` and writes prompts to `out`.
nlohmann::json answer_elicitation(const nlohmann::json &params, ElicitationMode mode,
                                  std::istream &in, std::ostream &out);

} // namespace fastmcp::client
