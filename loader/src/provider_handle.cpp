#include "fastmcp/loader/provider_handle.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace fastmcp::loader {

ProviderHandle::~ProviderHandle() {
    if (instance_ && desc_) desc_->destroy(instance_);
    instance_ = nullptr;
    module_.reset(); // dlclose once no other handle holds the module
}

plugin::Verdict ProviderHandle::verify(std::string_view token) const {
    struct Out {
        bool called = false;
        plugin::Verdict verdict;
    } out;
    int rc = desc_->verify(
        instance_, token.data(), token.size(),
        [](void *user, const fastmcp_verdict *v) {
            auto *o = static_cast<Out *>(user);
            o->called = true;
            const bool known = v->reason >= 0 && v->reason < FASTMCP_REASON_COUNT_;
            o->verdict.reason = known ? static_cast<fastmcp_reason>(v->reason) : FASTMCP_REASON_INTERNAL_ERROR;
            o->verdict.description.assign(plugin::view(v->description));
            o->verdict.required_scope.assign(plugin::view(v->required_scope));
            if (o->verdict.reason == FASTMCP_REASON_OK || o->verdict.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE) {
                auto t = std::make_shared<plugin::VerifiedToken>();
                t->token.assign(plugin::view(v->token));
                t->subject.assign(plugin::view(v->subject));
                t->client_id.assign(plugin::view(v->client_id));
                t->issuer.assign(plugin::view(v->issuer));
                for (size_t i = 0; i < v->scope_count; ++i) t->scopes.emplace_back(plugin::view(v->scopes[i]));
                t->expires_at = v->expires_at;
                if (v->claims_json.size) t->claims_json.assign(plugin::view(v->claims_json));
                o->verdict.token = std::move(t);
            }
        },
        &out);
    if (rc != 0 || !out.called)
        return plugin::Verdict::reject(FASTMCP_REASON_INTERNAL_ERROR, "the auth provider failed");
    return std::move(out.verdict);
}

std::string ProviderHandle::describe_json() const {
    std::string json;
    int rc = desc_->describe(
        instance_, [](void *user, const char *data, size_t size) { static_cast<std::string *>(user)->assign(data, size); },
        &json);
    if (rc != 0) throw std::runtime_error(provider_name_ + ": describe failed");
    return json;
}

bool ProviderHandle::handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) const {
    std::vector<fastmcp_http_header> headers;
    for (const auto &[n, v] : request.headers) headers.push_back({plugin::str(n), plugin::str(v)});
    fastmcp_route_request req{};
    req.struct_size = sizeof req;
    req.method = plugin::str(request.method);
    req.path = plugin::str(request.path);
    req.query = plugin::str(request.query);
    req.headers = headers.data();
    req.header_count = headers.size();
    req.body = plugin::str(request.body);
    struct Out {
        bool called = false;
        plugin::RouteResponse *res;
    } o{false, &out};
    int handled = desc_->handle_route(
        instance_, &req,
        [](void *user, const fastmcp_route_response *r) {
            auto *o = static_cast<Out *>(user);
            o->called = true;
            o->res->status = r->status;
            o->res->content_type.assign(plugin::view(r->content_type));
            o->res->body.assign(plugin::view(r->body));
            o->res->headers.clear();
            for (size_t i = 0; i < r->header_count; ++i)
                o->res->headers.emplace_back(std::string(plugin::view(r->headers[i].name)),
                                             std::string(plugin::view(r->headers[i].value)));
        },
        &o);
    return handled == 1 && o.called;
}

std::unique_ptr<ProviderHandle> create_provider(std::shared_ptr<Module> module, const fastmcp_provider_desc &desc,
                                                Settings settings, const fastmcp_host_api *host) {
    const std::string json = settings.values.dump();
    std::string error;
    void *instance = nullptr;
    int rc = desc.create(
        host, json.data(), json.size(), &instance,
        [](void *user, const char *data, size_t size) { static_cast<std::string *>(user)->assign(data, size); },
        &error);
    if (rc != 0 || !instance) {
        if (rc == 0 && instance == nullptr) error = "create returned success but no instance";
        if (rc != 0 && instance) desc.destroy(instance);
        throw LoadError(ErrorKind::CreateFailed, std::string(desc.name) + " (" + module->path() +
                                                     ") refused its settings: " + (error.empty() ? "no reason given" : error));
    }
    std::unique_ptr<ProviderHandle> h(new ProviderHandle());
    h->module_ = std::move(module);
    h->desc_ = &desc;
    h->instance_ = instance;
    h->provider_name_ = desc.name;
    h->settings_ = std::move(settings);
    return h;
}

const fastmcp_provider_desc &select_provider(const Module &module, const Resolved &resolved) {
    auto providers = module.providers();
    std::string names;
    for (const auto *p : providers) names += (names.empty() ? "" : ", ") + std::string(p->name);
    if (resolved.class_name.empty()) {
        if (providers.size() == 1) return *providers.front();
        throw LoadError(ErrorKind::AmbiguousModule,
                        module.path() + " exports " + std::to_string(providers.size()) +
                            " providers (" + names + "); name one: " + module.path() + ":<Class>");
    }
    if (const auto *p = module.find(resolved.class_name)) return *p;
    throw LoadError(ErrorKind::UnknownClass, "module '" + module.name() + "' (" + module.path() +
                                                 ") has no provider class '" + resolved.class_name +
                                                 "'; it has: " + names,
                    resolved.tried);
}

std::unique_ptr<ProviderHandle> load_provider(const env::Environment &env, const std::vector<std::string> &search_path,
                                              const fastmcp_host_api *host) {
    auto value = env.get(kServerAuthVariable);
    if (!value) return nullptr; // no auth: the caller decides how loudly to say so
    Resolved resolved;
    try {
        resolved = resolve(value->value, search_path);
    } catch (const LoadError &e) {
        if (!value->from_file()) throw;
        throw LoadError(e.kind(), value->file + ":" + std::to_string(value->line) + ": " + e.what());
    }
    auto module = Module::open(resolved.module_path, allow_unsafe_provider_path(env));
    const fastmcp_provider_desc &desc = select_provider(*module, resolved);
    Settings settings = read_settings(desc, env);
    if (!module->trust_warning().empty()) settings.warnings.insert(settings.warnings.begin(), module->trust_warning());
    return create_provider(std::move(module), desc, std::move(settings), host);
}

std::vector<std::shared_ptr<Module>> scan_modules(const std::vector<std::string> &search_path,
                                                  std::vector<std::string> *errors, bool allow_unsafe_path) {
    namespace fs = std::filesystem;
    std::vector<std::shared_ptr<Module>> out;
    std::set<std::string> seen;
    for (const auto &dir : search_path) {
        std::error_code ec;
        std::vector<fs::path> files;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().extension() == ".so" && it->is_regular_file()) files.push_back(it->path());
        std::sort(files.begin(), files.end());
        for (const auto &f : files) {
            if (!seen.insert(f.filename().string()).second) continue;
            try {
                out.push_back(Module::open(f.string(), allow_unsafe_path));
            } catch (const std::exception &e) {
                if (errors) errors->push_back(e.what());
            }
        }
    }
    return out;
}

} // namespace fastmcp::loader
