#include "strict_json.hpp"

#include <vector>

namespace fastmcp::jose::detail {

namespace {

using json = nlohmann::json;

// A SAX consumer that builds the DOM like nlohmann's own, but fails on a repeated name.
class StrictBuilder {
public:
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    explicit StrictBuilder(json &root) : root_(root) {}

    bool null() { return place(nullptr) != nullptr; }
    bool boolean(bool v) { return place(v) != nullptr; }
    bool number_integer(number_integer_t v) { return place(v) != nullptr; }
    bool number_unsigned(number_unsigned_t v) { return place(v) != nullptr; }
    bool number_float(number_float_t v, const string_t &) { return place(v) != nullptr; }
    bool string(string_t &v) { return place(std::move(v)) != nullptr; }
    bool binary(binary_t &) { return false; } // not produced by the text parser
    bool start_object(std::size_t) { return open(json::object()); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool key(string_t &name) {
        json &object = *stack_.back();
        auto [it, inserted] = object.get_ref<json::object_t &>().try_emplace(std::move(name));
        if (!inserted) return false;
        pending_ = &it->second;
        return true;
    }
    bool end_object() {
        stack_.pop_back();
        return true;
    }
    bool end_array() {
        stack_.pop_back();
        return true;
    }
    bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &) { return false; }

private:
    static constexpr size_t kMaxDepth = 32;

    json *place(json &&value) {
        if (stack_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        json &top = *stack_.back();
        if (top.is_array()) {
            top.get_ref<json::array_t &>().push_back(std::move(value));
            return &top.get_ref<json::array_t &>().back();
        }
        *pending_ = std::move(value);
        return pending_;
    }
    bool open(json &&container) {
        if (stack_.size() >= kMaxDepth) return false;
        json *slot = place(std::move(container));
        stack_.push_back(slot);
        return true;
    }

    json &root_;
    std::vector<json *> stack_;
    json *pending_ = nullptr;
};

} // namespace

bool parse_strict_object(std::string_view text, nlohmann::json &out) {
    out = nullptr;
    StrictBuilder builder(out);
    if (!json::sax_parse(text.begin(), text.end(), &builder)) {
        out = nullptr;
        return false;
    }
    return out.is_object();
}

} // namespace fastmcp::jose::detail
