// Typed, fail-closed access to a tool's (or prompt's) arguments: a missing required argument or a
// value of the wrong type throws ArgumentError, which the layer turns into an isError result that
// names the argument. Nothing is coerced silently (2.5 is not an int, "3" is not a number).
#pragma once

#include "fastmcp/module/errors.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace fastmcp::module {

namespace detail {

template <class T> const char *expected_type() {
    if constexpr (std::is_same_v<T, bool>)
        return "a boolean";
    else if constexpr (std::is_integral_v<T>)
        return "an integer";
    else if constexpr (std::is_floating_point_v<T>)
        return "a number";
    else if constexpr (std::is_convertible_v<std::string, T>)
        return "a string";
    else
        return "of the declared type";
}

// nlohmann converts between number kinds without complaint; arguments must not.
template <class T> bool kind_matches(const nlohmann::json &v) {
    if constexpr (std::is_same_v<T, nlohmann::json>)
        return true;
    else if constexpr (std::is_same_v<T, bool>)
        return v.is_boolean();
    else if constexpr (std::is_integral_v<T>) {
        if (v.is_number_unsigned())
            return v.get<unsigned long long>() <=
                   static_cast<unsigned long long>(std::numeric_limits<T>::max());
        if (v.is_number_integer()) {
            const long long i = v.get<long long>();
            if constexpr (std::is_unsigned_v<T>)
                return i >= 0;
            else
                return i >= static_cast<long long>(std::numeric_limits<T>::min()) &&
                       i <= static_cast<long long>(std::numeric_limits<T>::max());
        }
        if (v.is_number_float()) { // JSON Schema: 3.0 is an integer, 2.5 is not
            const double d = v.get<double>();
            return d == std::trunc(d) && d >= static_cast<double>(std::numeric_limits<T>::min()) &&
                   d < static_cast<double>(std::numeric_limits<T>::max()) + 1.0;
        }
        return false;
    } else if constexpr (std::is_floating_point_v<T>)
        return v.is_number();
    else if constexpr (std::is_convertible_v<std::string, T>)
        return v.is_string();
    else
        return true; // containers and user types: nlohmann's own checks decide
}

inline std::string type_name(const nlohmann::json &v) { return v.type_name(); }

} // namespace detail

class Args {
  public:
    explicit Args(const nlohmann::json &object) : json_(object) {}

    // Present and not null.
    bool has(const std::string &name) const {
        const auto it = json_.find(name);
        return it != json_.end() && !it->is_null();
    }

    // A required argument.
    template <class T> T get(const std::string &name) const {
        if (!has(name)) throw ArgumentError("missing required argument '" + name + "'");
        return convert<T>(name, json_.at(name));
    }

    // An optional argument: `fallback` when absent or null; still an error when mistyped.
    template <class T> T get(const std::string &name, T fallback) const {
        if (!has(name)) return fallback;
        return convert<T>(name, json_.at(name));
    }

    template <class T> std::optional<T> find(const std::string &name) const {
        if (!has(name)) return std::nullopt;
        return convert<T>(name, json_.at(name));
    }

    const nlohmann::json &json() const { return json_; }

  private:
    template <class T> static T convert(const std::string &name, const nlohmann::json &v) {
        const auto wrong = [&] {
            return ArgumentError("argument '" + name + "' must be " + detail::expected_type<T>() +
                                 ", got " + detail::type_name(v));
        };
        if (!detail::kind_matches<T>(v)) throw wrong();
        try {
            return v.get<T>();
        } catch (const nlohmann::json::exception &) {
            throw wrong();
        }
    }

    const nlohmann::json &json_;
};

} // namespace fastmcp::module
