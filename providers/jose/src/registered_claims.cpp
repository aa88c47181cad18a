// The registered claims without an nlohmann DOM, in two steps:
//  1. simdjson's DOM parser (a flat tape in buffers reused per thread, no node allocations; it
//     checks grammar, UTF-8, escapes and number ranges) and a walk over it that checks what JSON
//     allows but we refuse (repeated names in any object, nesting past 32, a non-object top) and
//     keeps only the members the policy reads. nlohmann's lexer, one character at a time, cost
//     about a tenth of an RS256 verify; simdjson's cost is a small fraction of that.
//  2. Whenever simdjson refuses the text, nlohmann's SAX parser decides, with a consumer doing the
//     same checks. simdjson is stricter in one known way (integers past 64 bits, which nlohmann
//     reads as doubles), and the fallback makes the accepted set exactly the DOM parse's
//     (strict_json.cpp). Valid tokens never take it; a malformed one pays one more small parse.
#include "fastmcp/jose/claims.hpp"

#include <simdjson.h>

#include <memory>
#include <set>

namespace fastmcp::jose {

namespace {

using json = nlohmann::json;

// The member names of every open object. Names are copied into one arena reserved to the text's
// size up front (decoded names never outgrow their text), so views into it stay valid for the
// whole parse. Small objects are searched linearly; an object past kLinear names gets an ordered
// set (no hash an attacker could flood), so a token full of names costs n log n, not n^2.
// One per thread, reused: a parse of a typical token allocates nothing here.
class SeenNames {
public:
    void reset(size_t text_size) {
        arena_.clear();
        if (arena_.capacity() < text_size) arena_.reserve(text_size);
        names_.clear();
        levels_.clear();
    }
    void open() { levels_.push_back(Level{names_.size(), nullptr}); }
    void close() {
        Level &level = levels_.back();
        if (!names_.empty() && level.first < names_.size()) arena_.resize(names_[level.first].data() - arena_.data());
        names_.resize(level.first);
        if (level.large) spare_ = std::move(level.large);
        levels_.pop_back();
    }
    // False when the innermost open object already has this name (or, never expected, the
    // arena would have to grow and move the names already seen: fail closed).
    bool insert(std::string_view name) {
        if (arena_.size() + name.size() > arena_.capacity()) return false;
        Level &level = levels_.back();
        const std::string_view stored = store(name);
        if (level.large) {
            if (!level.large->insert(stored).second) return false;
        } else {
            for (size_t i = level.first; i < names_.size(); ++i)
                if (names_[i] == stored) return false;
            if (names_.size() - level.first >= kLinear) {
                level.large = take_set();
                level.large->insert(names_.begin() + static_cast<std::ptrdiff_t>(level.first), names_.end());
                level.large->insert(stored);
            }
        }
        names_.push_back(stored);
        return true;
    }

private:
    static constexpr size_t kLinear = 16;
    using NameSet = std::set<std::string_view>;
    struct Level {
        size_t first; // index in names_ of this object's first name
        std::unique_ptr<NameSet> large;
    };

    std::string_view store(std::string_view name) {
        const size_t at = arena_.size();
        arena_.append(name); // within capacity (checked): never reallocates
        return std::string_view(arena_).substr(at, name.size());
    }
    std::unique_ptr<NameSet> take_set() {
        std::unique_ptr<NameSet> set = spare_ ? std::move(spare_) : std::make_unique<NameSet>();
        set->clear();
        return set;
    }

    std::string arena_;
    std::vector<std::string_view> names_;
    std::vector<Level> levels_;
    std::unique_ptr<NameSet> spare_;
};

// The member of `c` a top-level name fills, or nullptr for a name the policy does not read.
ClaimValue *registered_member(RegisteredClaims &c, std::string_view name) {
    if (name.size() < 3 || name.size() > 9) return nullptr;
    switch (name[0]) {
    case 'e': return name == "exp" ? &c.exp : nullptr;
    case 'n': return name == "nbf" ? &c.nbf : nullptr;
    case 'i': return name == "iat" ? &c.iat : name == "iss" ? &c.iss : nullptr;
    case 's': return name == "sub" ? &c.sub : name == "scope" ? &c.scope : name == "scp" ? &c.scp : nullptr;
    case 'a': return name == "aud" ? &c.aud : name == "azp" ? &c.azp : nullptr;
    case 'c': return name == "client_id" ? &c.client_id : nullptr;
    default: return nullptr;
    }
}

// Step 2's SAX consumer. Depth counts open containers; the top-level object is depth 1, so its
// members' values arrive at depth 1 and an array claim's elements at depth 2.
class RegisteredClaimsReader {
public:
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    RegisteredClaimsReader(RegisteredClaims &out, SeenNames &seen) : out_(out), seen_(seen) {}

    bool null() { return scalar(ClaimValue::Kind::Null); }
    bool boolean(bool) { return scalar(ClaimValue::Kind::Boolean); }
    bool number_integer(number_integer_t v) { return number(static_cast<double>(v)); }
    bool number_unsigned(number_unsigned_t v) { return number(static_cast<double>(v)); }
    bool number_float(number_float_t v, const string_t &) { return number(v); }
    bool string(string_t &v) {
        if (depth_ == 0) return false;
        if (pending_) {
            pending_->kind = ClaimValue::Kind::String;
            pending_->text = std::move(v);
            pending_ = nullptr;
        } else if (array_ && depth_ == 2) {
            array_->strings.push_back(std::move(v));
        }
        return true;
    }
    bool binary(binary_t &) { return false; } // not produced by the text parser
    bool start_object(std::size_t) {
        if (!open(ClaimValue::Kind::Object)) return false;
        seen_.open();
        return true;
    }
    bool start_array(std::size_t) {
        if (depth_ == 0) return false; // the top level must be an object
        return open(ClaimValue::Kind::Array);
    }
    bool key(string_t &name) {
        if (!seen_.insert(name)) return false;
        if (depth_ == 1) pending_ = registered_member(out_, name);
        return true;
    }
    bool end_object() {
        seen_.close();
        --depth_;
        return true;
    }
    bool end_array() {
        if (--depth_ == 1) array_ = nullptr;
        return true;
    }
    bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &) { return false; }

private:
    static constexpr size_t kMaxDepth = 32;

    // A value that is not a string: the top level is not an object, a claim's type, or an array
    // element that makes the array not "strings only".
    bool scalar(ClaimValue::Kind kind) {
        if (depth_ == 0) return false;
        if (pending_) {
            pending_->kind = kind;
            pending_ = nullptr;
        } else if (array_ && depth_ == 2) {
            array_->only_strings = false;
        }
        return true;
    }
    bool number(double v) {
        if (pending_) pending_->number = v;
        return scalar(ClaimValue::Kind::Number);
    }
    bool open(ClaimValue::Kind kind) {
        if (depth_ >= kMaxDepth) return false;
        if (pending_) {
            pending_->kind = kind;
            if (kind == ClaimValue::Kind::Array) array_ = pending_;
            pending_ = nullptr;
        } else if (array_ && depth_ == 2) {
            array_->only_strings = false;
        }
        ++depth_;
        return true;
    }

    RegisteredClaims &out_;
    SeenNames &seen_;
    size_t depth_ = 0;
    ClaimValue *pending_ = nullptr; // the registered member whose value comes next
    ClaimValue *array_ = nullptr;   // the registered member whose array is open
};

// Step 1: the walk over simdjson's document. `depth` counts open containers, the top object
// being 1, as in the SAX consumer.
class SimdjsonWalk {
public:
    SimdjsonWalk(RegisteredClaims &out, SeenNames &seen) : out_(out), seen_(seen) {}

    bool top(simdjson::dom::element root) {
        simdjson::dom::object object;
        if (root.get_object().get(object) != simdjson::SUCCESS) return false;
        seen_.open();
        for (const auto field : object) {
            if (!seen_.insert(field.key)) return false;
            ClaimValue *claim = registered_member(out_, field.key);
            if (claim && !capture(field.value, *claim)) return false;
            if (!claim && !check(field.value, 2)) return false;
        }
        seen_.close();
        return true;
    }

private:
    static constexpr size_t kMaxDepth = 32;

    static double number_of(simdjson::dom::element e) {
        switch (e.type()) {
        case simdjson::dom::element_type::INT64: return static_cast<double>(int64_t(e));
        case simdjson::dom::element_type::UINT64: return static_cast<double>(uint64_t(e));
        default: return double(e);
        }
    }

    // A top-level member's value (depth 1 is the top object; a container here is at depth 2).
    bool capture(simdjson::dom::element e, ClaimValue &claim) {
        using T = simdjson::dom::element_type;
        switch (e.type()) {
        case T::NULL_VALUE: claim.kind = ClaimValue::Kind::Null; return true;
        case T::BOOL: claim.kind = ClaimValue::Kind::Boolean; return true;
        case T::INT64:
        case T::UINT64:
        case T::DOUBLE:
            claim.kind = ClaimValue::Kind::Number;
            claim.number = number_of(e);
            return true;
        case T::STRING:
            claim.kind = ClaimValue::Kind::String;
            claim.text = std::string_view(e);
            return true;
        case T::OBJECT: claim.kind = ClaimValue::Kind::Object; return check(e, 2);
        case T::ARRAY:
            claim.kind = ClaimValue::Kind::Array;
            for (const auto item : simdjson::dom::array(e)) {
                if (item.type() == T::STRING) claim.strings.emplace_back(std::string_view(item));
                else claim.only_strings = false;
            }
            return check(e, 2);
        }
        return false;
    }

    // Any value at `depth` (if it is a container, the depth it opens): nesting and repeated names.
    bool check(simdjson::dom::element e, size_t depth) {
        using T = simdjson::dom::element_type;
        if (e.type() == T::ARRAY) {
            if (depth > kMaxDepth) return false;
            for (const auto item : simdjson::dom::array(e))
                if (!check(item, depth + 1)) return false;
            return true;
        }
        if (e.type() == T::OBJECT) {
            if (depth > kMaxDepth) return false;
            seen_.open();
            for (const auto field : simdjson::dom::object(e)) {
                if (!seen_.insert(field.key)) return false;
                if (!check(field.value, depth + 1)) return false;
            }
            seen_.close();
        }
        return true;
    }

    RegisteredClaims &out_;
    SeenNames &seen_;
};

ClaimValue claim_value(const json &v) {
    ClaimValue out;
    switch (v.type()) {
    case json::value_t::null: out.kind = ClaimValue::Kind::Null; break;
    case json::value_t::boolean: out.kind = ClaimValue::Kind::Boolean; break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        out.kind = ClaimValue::Kind::Number;
        out.number = v.get<double>();
        break;
    case json::value_t::string:
        out.kind = ClaimValue::Kind::String;
        out.text = v.get_ref<const std::string &>();
        break;
    case json::value_t::array:
        out.kind = ClaimValue::Kind::Array;
        for (const auto &e : v) {
            if (e.is_string()) out.strings.push_back(e.get_ref<const std::string &>());
            else out.only_strings = false;
        }
        break;
    case json::value_t::object: out.kind = ClaimValue::Kind::Object; break;
    default: out.kind = ClaimValue::Kind::Object; break; // binary/discarded: never a valid claim
    }
    return out;
}

// Step 2: nlohmann decides.
bool parse_with_nlohmann(std::string_view text, RegisteredClaims &out, SeenNames &seen) {
    out = RegisteredClaims{};
    seen.reset(text.size());
    RegisteredClaimsReader reader(out, seen);
    return json::sax_parse(text.begin(), text.end(), &reader);
}

} // namespace

bool parse_registered_claims(std::string_view text, RegisteredClaims &out) {
    thread_local SeenNames seen;
    thread_local simdjson::dom::parser parser; // its buffers grow to the largest text, then stay
    bool ok = false;
    try {
        simdjson::dom::element root;
        // Copied into the parser's own padded buffer (simdjson reads past the end).
        if (parser.parse(text.data(), text.size(), true).get(root) == simdjson::SUCCESS) {
            out = RegisteredClaims{};
            seen.reset(text.size());
            ok = SimdjsonWalk(out, seen).top(root);
        } else {
            ok = parse_with_nlohmann(text, out, seen);
        }
    } catch (...) { // allocation failure: fail closed
        ok = false;
    }
    if (!ok) out = RegisteredClaims{};
    return ok;
}

RegisteredClaims registered_claims_of(const json &claims) {
    RegisteredClaims out;
    if (!claims.is_object()) return out;
    const auto read = [&](const char *name, ClaimValue &into) {
        if (const auto it = claims.find(name); it != claims.end()) into = claim_value(*it);
    };
    read("exp", out.exp);
    read("nbf", out.nbf);
    read("iat", out.iat);
    read("iss", out.iss);
    read("sub", out.sub);
    read("aud", out.aud);
    read("scope", out.scope);
    read("scp", out.scp);
    read("client_id", out.client_id);
    read("azp", out.azp);
    return out;
}

} // namespace fastmcp::jose
