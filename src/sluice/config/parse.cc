#include "sluice/config/parse.h"

#include <arpa/inet.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "sluice/config/duration.h"
#include "sluice/core/strings.h"

namespace sluice::config {

namespace {

using model::Diagnostics;
using model::ObjectRef;
using model::Origin;

constexpr std::string_view kAIGatewayGroup = "aigateway.envoyproxy.io";
constexpr std::string_view kGatewayApiGroup = "gateway.networking.k8s.io";
constexpr std::string_view kEnvoyGatewayGroup = "gateway.envoyproxy.io";
constexpr std::string_view kInferenceGroup = "inference.networking.k8s.io";
constexpr std::string_view kGatewayConfigAnnotation = "aigateway.envoyproxy.io/gateway-config";
constexpr std::string_view kSubstituteEnvPrefix = "substitution.aigw.run/env/";
constexpr std::string_view kSubstituteFilePrefix = "substitution.aigw.run/file/";
constexpr std::string_view kModelHeader = "x-ai-eg-model";
// AIGatewayRoute.spec.rules: MaxItems=15, one HTTPRoute rule slot being reserved for the
// controller's catch-all (api/v1beta1/ai_gateway_route.go).
constexpr size_t kMaxRules = 15;
constexpr std::string_view kReservedRuleName = "route-not-found";

// Kinds that appear in Envoy AI Gateway / Envoy Gateway configs and that Sluice accepts without
// acting on them (yet): listed in LoadResult::ignored, no warning.
constexpr std::string_view kQuietlyIgnoredKinds[] = {
    "GatewayClass",
    "EnvoyProxy",
    "ClientTrafficPolicy",
    "BackendTrafficPolicy",
    "HTTPRoute",
    "GRPCRoute",
    "TCPRoute",
    "TLSRoute",
    "UDPRoute",
    "QuotaPolicy",
    "ReferenceGrant",
    "SecurityPolicy",
    "EnvoyExtensionPolicy",
    "EnvoyPatchPolicy",
    "HTTPRouteFilter",
    "Namespace",
    "Service",
    "Deployment",
    "ServiceAccount",
    "InferencePool",
    "InferenceModel",
    "InferenceObjective",
    "EnvoyGateway",
};

bool Present(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

std::string JoinPath(std::string_view base, std::string_view key) {
  std::string out(base);
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

std::string IndexPath(std::string_view base, size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

// Diagnostics bound to one resource: every line starts with "file: Kind ns/name".
class Sink {
 public:
  Sink(Diagnostics& diag, std::string prefix) : diag_(diag), prefix_(std::move(prefix)) {}

  void Error(std::string_view path, std::string_view message) {
    diag_.errors.push_back(Format(path, message));
  }
  void Warn(std::string_view path, std::string_view message) {
    diag_.warnings.push_back(Format(path, message));
  }

 private:
  std::string Format(std::string_view path, std::string_view message) const {
    std::string s = prefix_;
    if (!path.empty()) {
      s += ": ";
      s += path;
    }
    s += ": ";
    s += message;
    return s;
  }

  Diagnostics& diag_;
  std::string prefix_;
};

// A view of one YAML mapping that remembers which keys were read; on destruction every key nobody
// asked for becomes one "unknown field" warning. Unknown fields are never errors: newer API
// versions add fields, and a config must keep loading.
class Fields {
 public:
  Fields(const YAML::Node& node, std::string path, Sink& sink)
      : path_(std::move(path)), sink_(sink) {
    if (!Present(node)) return;
    if (!node.IsMap()) {
      sink_.Error(path_, "expected a mapping");
      return;
    }
    for (const auto& kv : node) {
      entries_.push_back({kv.first.IsScalar() ? kv.first.Scalar() : std::string("?"), kv.second});
    }
  }
  ~Fields() {
    for (const Entry& e : entries_) {
      if (!e.used) sink_.Warn(Path(e.key), "unknown field; ignored");
    }
  }
  Fields(const Fields&) = delete;
  Fields& operator=(const Fields&) = delete;

  Sink& sink() { return sink_; }
  std::string Path(std::string_view key) const { return JoinPath(path_, key); }

  // The value under `key` (a null node when absent); marks the key as known.
  YAML::Node Get(std::string_view key) {
    for (Entry& e : entries_) {
      if (e.key == key) {
        e.used = true;
        return e.value;
      }
    }
    return YAML::Node();
  }
  bool Has(std::string_view key) { return Present(Get(key)); }
  void Ignore(std::string_view key) { Get(key); }
  void WarnIfPresent(std::string_view key, std::string_view message) {
    if (Has(key)) sink_.Warn(Path(key), message);
  }

  std::optional<std::string> String(std::string_view key) {
    const YAML::Node n = Get(key);
    if (!Present(n)) return std::nullopt;
    if (!n.IsScalar()) {
      sink_.Error(Path(key), "expected a string");
      return std::nullopt;
    }
    return n.Scalar();
  }

  std::string RequiredString(std::string_view key) {
    std::optional<std::string> s = String(key);
    if (!s.has_value()) {
      sink_.Error(Path(key), "required");
      return {};
    }
    if (s->empty()) sink_.Error(Path(key), "must not be empty");
    return *s;
  }

  std::optional<int64_t> Int(std::string_view key) {
    const std::optional<std::string> s = String(key);
    if (!s.has_value()) return std::nullopt;
    int64_t v = 0;
    const auto res = std::from_chars(s->data(), s->data() + s->size(), v);
    if (res.ec != std::errc() || res.ptr != s->data() + s->size()) {
      sink_.Error(Path(key), "expected an integer, got \"" + *s + "\"");
      return std::nullopt;
    }
    return v;
  }

  std::optional<bool> Bool(std::string_view key) {
    const std::optional<std::string> s = String(key);
    if (!s.has_value()) return std::nullopt;
    if (*s == "true" || *s == "True" || *s == "TRUE") return true;
    if (*s == "false" || *s == "False" || *s == "FALSE") return false;
    sink_.Error(Path(key), "expected true or false, got \"" + *s + "\"");
    return std::nullopt;
  }

  // A sequence under `key`; null node when absent or (after an error) not a sequence.
  YAML::Node Seq(std::string_view key) {
    const YAML::Node n = Get(key);
    if (!Present(n)) return YAML::Node();
    if (!n.IsSequence()) {
      sink_.Error(Path(key), "expected a list");
      return YAML::Node();
    }
    return n;
  }

  std::vector<std::string> StringList(std::string_view key) {
    std::vector<std::string> out;
    const YAML::Node seq = Seq(key);
    if (!Present(seq)) return out;
    for (size_t i = 0; i < seq.size(); ++i) {
      if (!seq[i].IsScalar()) {
        sink_.Error(IndexPath(Path(key), i), "expected a string");
        continue;
      }
      out.push_back(seq[i].Scalar());
    }
    return out;
  }

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    bool used = false;
  };
  std::string path_;
  Sink& sink_;
  std::vector<Entry> entries_;
};

// Calls fn(item_node, item_path, index) for each element of the list at fields[key].
template <typename Fn>
void ForEach(Fields& fields, std::string_view key, Fn&& fn) {
  const YAML::Node seq = fields.Seq(key);
  if (!Present(seq)) return;
  const std::string base = fields.Path(key);
  for (size_t i = 0; i < seq.size(); ++i) fn(seq[i], IndexPath(base, i), i);
}

bool IsIpLiteral(const std::string& s) {
  in6_addr v6;
  in_addr v4;
  return inet_pton(AF_INET, s.c_str(), &v4) == 1 || inet_pton(AF_INET6, s.c_str(), &v6) == 1;
}

// `allow_any`: a listener port 0 means "any free port" (the bound port is announced at start-up).
std::optional<uint16_t> Port(Fields& f, std::string_view key, bool required,
                             bool allow_any = false) {
  const std::optional<int64_t> port = f.Int(key);
  if (!port.has_value()) {
    if (required && !f.Has(key)) f.sink().Error(f.Path(key), "required");
    return std::nullopt;
  }
  const int64_t lowest = allow_any ? 0 : 1;
  if (*port < lowest || *port > 65535) {
    f.sink().Error(f.Path(key), "must be between " + std::to_string(lowest) +
                                    " and 65535, got " + std::to_string(*port));
    return std::nullopt;
  }
  return static_cast<uint16_t>(*port);
}

// Headers the gateway owns: x-ai-eg-* (routing), pseudo-headers and x-envoy-original-path are
// never mutated (reference §3.1).
bool IsReservedHeader(std::string_view lower_name) {
  return lower_name.starts_with("x-ai-eg-") || lower_name.starts_with(":") ||
         lower_name == "x-envoy-original-path";
}

HeaderMutation ParseHeaderMutation(const YAML::Node& node, const std::string& path, Sink& sink) {
  HeaderMutation out;
  Fields f(node, path, sink);
  ForEach(f, "set", [&](const YAML::Node& item, const std::string& item_path, size_t) {
    Fields h(item, item_path, sink);
    const std::string name = AsciiLower(h.RequiredString("name"));
    const std::string value = h.String("value").value_or("");
    if (name.empty()) return;
    if (IsReservedHeader(name)) {
      sink.Warn(JoinPath(item_path, "name"),
                "header \"" + name + "\" is owned by the gateway and cannot be mutated; dropped");
      return;
    }
    for (auto& [existing, existing_value] : out.set) {
      if (existing == name) {
        existing_value = value;
        return;
      }
    }
    out.set.emplace_back(name, value);
  });
  const std::vector<std::string> remove = f.StringList("remove");
  for (size_t i = 0; i < remove.size(); ++i) {
    std::string name = AsciiLower(remove[i]);
    if (IsReservedHeader(name)) {
      sink.Warn(IndexPath(f.Path("remove"), i),
                "header \"" + name + "\" is owned by the gateway and cannot be mutated; dropped");
      continue;
    }
    if (std::find(out.remove.begin(), out.remove.end(), name) == out.remove.end()) {
      out.remove.push_back(std::move(name));
    }
  }
  return out;
}

BodyMutation ParseBodyMutation(const YAML::Node& node, const std::string& path, Sink& sink) {
  BodyMutation out;
  Fields f(node, path, sink);
  ForEach(f, "set", [&](const YAML::Node& item, const std::string& item_path, size_t) {
    Fields b(item, item_path, sink);
    const std::string field = b.RequiredString("path");
    const std::optional<std::string> value = b.String("value");
    if (!value.has_value()) b.sink().Error(b.Path("value"), "required");
    if (field.empty() || !value.has_value()) return;
    const std::string json = NormalizeBodyMutationValue(*value);
    for (auto& [existing, existing_value] : out.set) {
      if (existing == field) {
        existing_value = json;
        return;
      }
    }
    out.set.emplace_back(field, json);
  });
  for (std::string& name : f.StringList("remove")) {
    if (std::find(out.remove.begin(), out.remove.end(), name) == out.remove.end()) {
      out.remove.push_back(std::move(name));
    }
  }
  return out;
}

std::vector<Cost> ParseCosts(Fields& parent, std::string_view key) {
  std::vector<Cost> costs;
  ForEach(parent, key, [&](const YAML::Node& item, const std::string& item_path, size_t) {
    Fields c(item, item_path, parent.sink());
    Cost cost;
    cost.metadata_key = c.RequiredString("metadataKey");
    // LLMRequestCost.type defaults to OutputToken (api/v1beta1/shared_types.go).
    const std::string type = c.String("type").value_or("OutputToken");
    c.Ignore("cel");
    if (type == "CEL") {
      c.sink().Error(c.Path("type"), "CEL costs are not supported yet");
      return;
    }
    const std::optional<CostType> parsed = ParseCostType(type);
    if (!parsed.has_value()) {
      c.sink().Error(c.Path("type"),
                     "invalid cost type \"" + type +
                         "\" (expected one of InputToken, OutputToken, TotalToken, "
                         "CachedInputToken, CacheCreationInputToken, ReasoningToken, CEL)");
      return;
    }
    cost.type = *parsed;
    if (cost.metadata_key.empty()) return;
    for (const Cost& existing : costs) {
      if (existing.metadata_key == cost.metadata_key) {
        c.sink().Error(c.Path("metadataKey"),
                       "duplicate metadataKey \"" + cost.metadata_key + "\"");
        return;
      }
    }
    costs.push_back(std::move(cost));
  });
  return costs;
}

// A reference with optional namespace (defaulting to the referrer's).
ObjectRef ParseRef(const YAML::Node& node, const std::string& path, Sink& sink,
                   const std::string& default_ns, std::string_view default_group,
                   std::string_view default_kind) {
  Fields f(node, path, sink);
  ObjectRef ref;
  ref.name = f.RequiredString("name");
  ref.ns = f.String("namespace").value_or(default_ns);
  if (ref.ns.empty()) ref.ns = default_ns;
  ref.group = f.String("group").value_or(std::string(default_group));
  ref.kind = f.String("kind").value_or(std::string(default_kind));
  f.Ignore("sectionName");
  f.Ignore("port");
  return ref;
}

void ParseMetadata(const YAML::Node& node, Sink& sink,
                   std::map<std::string, std::string>& annotations,
                   std::optional<int64_t>& created) {
  if (!Present(node)) {
    sink.Error("metadata.name", "required");
    return;
  }
  if (!node.IsMap()) {
    sink.Error("metadata", "expected a mapping");
    return;
  }
  // Only the fields Sluice reads are checked; Kubernetes adds many (uid, resourceVersion,
  // managedFields...) to resources exported with kubectl, and they mean nothing here.
  const YAML::Node ann = node["annotations"];
  if (Present(ann)) {
    if (!ann.IsMap()) {
      sink.Error("metadata.annotations", "expected a mapping");
    } else {
      for (const auto& kv : ann) {
        if (kv.first.IsScalar() && kv.second.IsScalar()) {
          annotations[kv.first.Scalar()] = kv.second.Scalar();
        }
      }
    }
  }
  const YAML::Node ts = node["creationTimestamp"];
  if (Present(ts) && ts.IsScalar()) created = ParseRfc3339(ts.Scalar());
}

// ---- Gateway API Gateway -------------------------------------------------------------------

void ParseGateway(Fields& doc, const Origin& origin,
                  const std::map<std::string, std::string>& annotations, model::Resources& out) {
  Sink& sink = doc.sink();
  model::Gateway gw;
  gw.origin = origin;
  if (auto it = annotations.find(std::string(kGatewayConfigAnnotation)); it != annotations.end()) {
    gw.gateway_config = it->second;
  }
  Fields spec(doc.Get("spec"), "spec", sink);
  spec.Ignore("gatewayClassName");
  spec.Ignore("infrastructure");
  spec.WarnIfPresent("addresses", "not supported; Sluice listens on all addresses");
  ForEach(spec, "listeners", [&](const YAML::Node& item, const std::string& path, size_t) {
    Fields l(item, path, sink);
    Listener listener;
    listener.gateway = origin.Key();
    listener.name = l.RequiredString("name");
    listener.hostname = AsciiLower(l.String("hostname").value_or(""));
    const std::optional<uint16_t> port = Port(l, "port", /*required=*/true, /*allow_any=*/true);
    const std::string protocol = l.String("protocol").value_or("HTTP");
    l.Ignore("allowedRoutes");
    l.Ignore("tls");
    if (protocol != "HTTP") {
      sink.Warn(l.Path("protocol"),
                "protocol " + protocol + " is not supported yet (only HTTP); listener skipped");
      return;
    }
    if (!port.has_value()) return;
    listener.port = *port;
    gw.listeners.push_back(std::move(listener));
  });
  out.gateways.push_back(std::move(gw));
}

// ---- Envoy Gateway Backend -----------------------------------------------------------------

void ParseTlsRefs(Fields& f, std::string_view key, const std::string& ns,
                  std::vector<ObjectRef>& refs) {
  ForEach(f, key, [&](const YAML::Node& item, const std::string& path, size_t) {
    ObjectRef ref = ParseRef(item, path, f.sink(), ns, "", "ConfigMap");
    if (ref.kind != "ConfigMap" && ref.kind != "Secret") {
      f.sink().Error(JoinPath(path, "kind"),
                     "must be ConfigMap or Secret, got \"" + ref.kind + "\"");
      return;
    }
    if (!ref.name.empty()) refs.push_back(std::move(ref));
  });
}

void ParseBackend(Fields& doc, const Origin& origin, model::Resources& out) {
  Sink& sink = doc.sink();
  model::Backend backend;
  backend.origin = origin;
  Fields spec(doc.Get("spec"), "spec", sink);
  const std::string type = spec.String("type").value_or("Endpoints");
  if (type != "Endpoints") {
    sink.Warn("spec.type", "type " + type + " is not supported yet; endpoints are used as given");
  }
  spec.Ignore("appProtocols");
  size_t declared_endpoints = 0;
  ForEach(spec, "endpoints", [&](const YAML::Node& item, const std::string& path, size_t) {
    ++declared_endpoints;
    Fields e(item, path, sink);
    if (e.Has("fqdn")) {
      Fields fqdn(e.Get("fqdn"), JoinPath(path, "fqdn"), sink);
      Endpoint ep;
      ep.host = AsciiLower(fqdn.RequiredString("hostname"));
      const std::optional<uint16_t> port = Port(fqdn, "port", /*required=*/true);
      if (ep.host.empty() || !port.has_value()) return;
      ep.port = *port;
      ep.is_ip = IsIpLiteral(ep.host);
      backend.endpoints.push_back(std::move(ep));
    } else if (e.Has("ip")) {
      Fields ip(e.Get("ip"), JoinPath(path, "ip"), sink);
      Endpoint ep;
      ep.host = ip.RequiredString("address");
      const std::optional<uint16_t> port = Port(ip, "port", /*required=*/true);
      if (ep.host.empty() || !port.has_value()) return;
      if (!IsIpLiteral(ep.host)) {
        sink.Error(JoinPath(path, "ip.address"), "\"" + ep.host + "\" is not an IP address");
        return;
      }
      ep.port = *port;
      ep.is_ip = true;
      backend.endpoints.push_back(std::move(ep));
    } else if (e.Has("unix")) {
      sink.Error(JoinPath(path, "unix"), "unix socket endpoints are not supported yet");
    } else {
      sink.Error(path, "an endpoint needs fqdn or ip");
    }
    e.Ignore("zone");
  });
  // When endpoints were declared but all failed, their own errors already say why.
  if (declared_endpoints == 0)
    sink.Error("spec.endpoints", "a Backend needs at least one endpoint");
  if (spec.Has("tls")) {
    Fields tls(spec.Get("tls"), "spec.tls", sink);
    UpstreamTls t;
    t.enabled = true;
    t.sni = tls.String("sni").value_or("");
    const std::optional<std::string> known = tls.String("wellKnownCACertificates");
    ParseTlsRefs(tls, "caCertificateRefs", origin.ns, backend.tls_ca_refs);
    if (known.has_value() && *known != "System") {
      sink.Error("spec.tls.wellKnownCACertificates", "must be System, got \"" + *known + "\"");
    }
    t.use_system_cas = known.has_value() || backend.tls_ca_refs.empty();
    if (tls.Bool("insecureSkipVerify").value_or(false)) {
      sink.Warn("spec.tls.insecureSkipVerify", "not supported; the certificate is verified");
    }
    backend.tls = std::move(t);
  }
  out.backends.push_back(std::move(backend));
}

// ---- Gateway API BackendTLSPolicy (v1alpha3 and v1) --------------------------------------

void ParseBackendTlsPolicy(Fields& doc, const Origin& origin, model::Resources& out) {
  Sink& sink = doc.sink();
  model::BackendTlsPolicy policy;
  policy.origin = origin;
  Fields spec(doc.Get("spec"), "spec", sink);
  ForEach(spec, "targetRefs", [&](const YAML::Node& item, const std::string& path, size_t) {
    ObjectRef ref = ParseRef(item, path, sink, origin.ns, kEnvoyGatewayGroup, "Backend");
    if (ref.kind != "Backend") {
      sink.Warn(JoinPath(path, "kind"),
                "only gateway.envoyproxy.io Backend targets are supported; " + ref.kind +
                    " target ignored");
      return;
    }
    if (!ref.name.empty()) policy.target_refs.push_back(std::move(ref));
  });
  Fields validation(spec.Get("validation"), "spec.validation", sink);
  policy.hostname = AsciiLower(validation.RequiredString("hostname"));
  const std::optional<std::string> known = validation.String("wellKnownCACertificates");
  if (known.has_value()) {
    if (*known != "System") {
      sink.Error("spec.validation.wellKnownCACertificates",
                 "must be System, got \"" + *known + "\"");
    }
    policy.well_known_system = true;
  }
  ParseTlsRefs(validation, "caCertificateRefs", origin.ns, policy.ca_refs);
  if (!known.has_value() && policy.ca_refs.empty()) {
    sink.Error("spec.validation",
               "set wellKnownCACertificates: System or caCertificateRefs to verify the backend");
  }
  validation.WarnIfPresent("subjectAltNames", "not supported yet; the hostname is verified");
  spec.Ignore("options");
  out.tls_policies.push_back(std::move(policy));
}

// ---- ConfigMap and Secret ------------------------------------------------------------------

void ReadStringMap(Fields& doc, std::string_view key, bool base64,
                   std::map<std::string, std::string>& data) {
  const YAML::Node node = doc.Get(key);
  if (!Present(node)) return;
  if (!node.IsMap()) {
    doc.sink().Error(key, "expected a mapping");
    return;
  }
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;
    const std::string name = kv.first.Scalar();
    const std::string path = std::string(key) + "." + name;
    if (Present(kv.second) && !kv.second.IsScalar()) {
      doc.sink().Error(path, "expected a string");
      continue;
    }
    const std::string value = Present(kv.second) ? kv.second.Scalar() : "";
    if (!base64) {
      data[name] = value;
      continue;
    }
    std::optional<std::string> decoded = Base64Decode(value);
    if (!decoded.has_value()) {
      doc.sink().Error(path, "not valid base64");
      continue;
    }
    data[name] = std::move(*decoded);
  }
}

void ParseConfigMap(Fields& doc, const Origin& origin, model::Resources& out) {
  model::DataObject cm;
  cm.origin = origin;
  ReadStringMap(doc, "data", false, cm.data);
  ReadStringMap(doc, "binaryData", true, cm.data);
  doc.Ignore("immutable");
  out.config_maps.push_back(std::move(cm));
}

void ParseSecret(Fields& doc, const Origin& origin,
                 const std::map<std::string, std::string>& annotations, const GetEnv& env,
                 model::Resources& out) {
  Sink& sink = doc.sink();
  model::DataObject secret;
  secret.origin = origin;
  ReadStringMap(doc, "data", true, secret.data);
  // As in Kubernetes, stringData wins over data for the same key.
  ReadStringMap(doc, "stringData", false, secret.data);
  doc.Ignore("type");
  doc.Ignore("immutable");
  // aigw's substitution annotations (reference §8) win over both: the placeholder in stringData
  // is there only so the Secret is valid for Kubernetes tooling.
  for (const auto& [name, value] : annotations) {
    const std::string path = "metadata.annotations[" + name + "]";
    if (name.starts_with(kSubstituteEnvPrefix)) {
      const std::string key = name.substr(kSubstituteEnvPrefix.size());
      const std::optional<std::string> env_value = env(value);
      if (!env_value.has_value()) {
        sink.Error(path, "environment variable " + value + " is not set");
        continue;
      }
      secret.data[key] = *env_value;
    } else if (name.starts_with(kSubstituteFilePrefix)) {
      // A relative path is relative to the working directory, as with aigw.
      const std::string key = name.substr(kSubstituteFilePrefix.size());
      std::ifstream in(value, std::ios::binary);
      if (!in) {
        sink.Error(path, "cannot read file " + value);
        continue;
      }
      std::ostringstream contents;
      contents << in.rdbuf();
      secret.data[key] = contents.str();
    }
  }
  out.secrets.push_back(std::move(secret));
}

// ---- AIServiceBackend ----------------------------------------------------------------------

void ParseAIServiceBackend(Fields& doc, const Origin& origin, model::Resources& out) {
  Sink& sink = doc.sink();
  model::AIServiceBackend asb;
  asb.origin = origin;
  Fields spec(doc.Get("spec"), "spec", sink);
  {
    Fields schema(spec.Get("schema"), "spec.schema", sink);
    const std::string name = schema.RequiredString("name");
    const std::optional<std::string> version = schema.String("version");
    const std::optional<std::string> prefix = schema.String("prefix");
    schema.WarnIfPresent("capabilities", "not supported yet; ignored");
    const std::optional<SchemaName> parsed = ParseSchemaName(name);
    if (!name.empty() && !parsed.has_value()) {
      sink.Error("spec.schema.name",
                 "unknown schema name \"" + name +
                     "\" (expected one of OpenAI, AzureOpenAI, Anthropic, AWSBedrock, "
                     "AWSAnthropic, GCPVertexAI, GCPAnthropic, Cohere)");
    }
    asb.schema.name = parsed.value_or(SchemaName::kOpenAI);
    asb.schema.version = version.value_or("");
    // Before v0.6, OpenAI's `version` doubled as the path prefix; v0.6 removed that, so a
    // version here was written for the old behaviour and would silently change every path.
    if (parsed == SchemaName::kOpenAI && !asb.schema.version.empty()) {
      sink.Error("spec.schema.version",
                 "\"" + asb.schema.version +
                     "\": schema.version is no longer a path prefix for OpenAI (removed in "
                     "v0.6); use schema.prefix: \"" +
                     NormalizePrefix(asb.schema.version) + "\" instead");
    }
    if (prefix.has_value()) {
      asb.schema.prefix = NormalizePrefix(*prefix);
      if (parsed.has_value() && *parsed != SchemaName::kOpenAI &&
          *parsed != SchemaName::kAnthropic) {
        sink.Warn("spec.schema.prefix", "only OpenAI and Anthropic schemas use a prefix; ignored");
      }
    }
  }
  {
    const std::string path = "spec.backendRef";
    if (!spec.Has("backendRef")) {
      sink.Error(path, "required");
    } else {
      asb.backend_ref =
          ParseRef(spec.Get("backendRef"), path, sink, origin.ns, kEnvoyGatewayGroup, "Backend");
      if (asb.backend_ref.kind != "Backend" || asb.backend_ref.group != kEnvoyGatewayGroup) {
        sink.Error(path, "must reference a gateway.envoyproxy.io Backend, got " +
                             asb.backend_ref.group + "/" + asb.backend_ref.kind);
      }
    }
  }
  asb.header_mutation =
      ParseHeaderMutation(spec.Get("headerMutation"), "spec.headerMutation", sink);
  asb.body_mutation = ParseBodyMutation(spec.Get("bodyMutation"), "spec.bodyMutation", sink);
  if (spec.Has("backendSecurityPolicyRef")) {
    asb.security_policy_ref =
        ParseRef(spec.Get("backendSecurityPolicyRef"), "spec.backendSecurityPolicyRef", sink,
                 origin.ns, kAIGatewayGroup, "BackendSecurityPolicy");
  }
  spec.WarnIfPresent("timeouts", "has no effect; set rules[].timeouts on the AIGatewayRoute");
  spec.WarnIfPresent("responseBodyMutation", "not supported yet; ignored");
  spec.WarnIfPresent("headerValueFilters", "not supported yet; ignored");
  out.service_backends.push_back(std::move(asb));
}

// ---- AIGatewayRoute ------------------------------------------------------------------------

bool ValidHostname(std::string_view h) {
  if (h.starts_with("*.")) h.remove_prefix(2);
  if (h.empty() || h.find('*') != std::string_view::npos) return false;
  for (char c : h) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  return true;
}

void ParseRule(const YAML::Node& node, const std::string& path, size_t index, const Origin& origin,
               Sink& sink, model::RouteRule& rule) {
  Fields f(node, path, sink);
  rule.name = f.String("name").value_or("");
  ForEach(f, "matches", [&](const YAML::Node& item, const std::string& match_path, size_t) {
    Fields m(item, match_path, sink);
    RouteMatch match;
    ForEach(m, "headers", [&](const YAML::Node& h_item, const std::string& h_path, size_t) {
      Fields h(h_item, h_path, sink);
      HeaderMatch header;
      header.name = AsciiLower(h.RequiredString("name"));
      const std::optional<std::string> value = h.String("value");
      if (!value.has_value()) sink.Error(JoinPath(h_path, "value"), "required");
      header.value = value.value_or("");
      const std::string type = h.String("type").value_or("Exact");
      if (type == "Exact") {
        header.type = MatchType::kExact;
      } else if (type == "RegularExpression") {
        header.type = MatchType::kRegularExpression;
        RE2::Options options;
        options.set_log_errors(false);
        auto re = std::make_shared<RE2>(header.value, options);
        if (!re->ok()) {
          sink.Error(JoinPath(h_path, "value"),
                     "invalid regular expression \"" + header.value + "\": " + re->error());
          return;
        }
        header.regex = std::move(re);
      } else {
        sink.Error(JoinPath(h_path, "type"),
                   "must be Exact or RegularExpression, got \"" + type + "\"");
        return;
      }
      if (header.name.empty() || !value.has_value()) return;
      match.headers.push_back(std::move(header));
    });
    m.WarnIfPresent("path", "not supported: the endpoint is chosen by the request path; ignored");
    m.WarnIfPresent("queryParams", "not supported; ignored");
    m.WarnIfPresent("method", "not supported; ignored");
    rule.matches.push_back(std::move(match));
  });
  ForEach(f, "backendRefs", [&](const YAML::Node& item, const std::string& ref_path, size_t) {
    Fields r(item, ref_path, sink);
    model::RouteBackendRef ref;
    ref.path = ref_path;
    ref.name = r.RequiredString("name");
    ref.ns = r.String("namespace").value_or(origin.ns);
    if (ref.ns.empty()) ref.ns = origin.ns;
    const std::optional<std::string> group = r.String("group");
    const std::optional<std::string> kind = r.String("kind");
    ref.model_name_override = r.String("modelNameOverride").value_or("");
    ref.header_mutation =
        ParseHeaderMutation(r.Get("headerMutation"), JoinPath(ref_path, "headerMutation"), sink);
    ref.body_mutation =
        ParseBodyMutation(r.Get("bodyMutation"), JoinPath(ref_path, "bodyMutation"), sink);
    if (const std::optional<int64_t> weight = r.Int("weight")) {
      if (*weight < 0 || *weight > 1000000) {
        sink.Error(JoinPath(ref_path, "weight"), "must be between 0 and 1000000");
      } else {
        ref.weight = static_cast<uint32_t>(*weight);
      }
    }
    if (const std::optional<int64_t> priority = r.Int("priority")) {
      if (*priority < 0 || *priority > 1000000) {
        sink.Error(JoinPath(ref_path, "priority"), "must be between 0 and 1000000");
      } else {
        ref.priority = static_cast<uint32_t>(*priority);
      }
    }
    if (group.has_value() || kind.has_value()) {
      if (group == kInferenceGroup && kind == "InferencePool") {
        sink.Warn(ref_path, "InferencePool backends are not supported yet; reference ignored");
      } else if (group == kAIGatewayGroup &&
                 kind.value_or("AIServiceBackend") == "AIServiceBackend") {
        if (!ref.name.empty()) rule.backend_refs.push_back(std::move(ref));
      } else {
        sink.Error(ref_path, "must reference an AIServiceBackend (or an InferencePool), got " +
                                 group.value_or("") + "/" + kind.value_or(""));
      }
      return;
    }
    if (!ref.name.empty()) rule.backend_refs.push_back(std::move(ref));
  });
  if (f.Has("timeouts")) {
    Fields t(f.Get("timeouts"), JoinPath(path, "timeouts"), sink);
    if (const std::optional<std::string> request = t.String("request")) {
      if (const auto d = ParseGatewayDuration(*request)) {
        rule.request_timeout = *d;
      } else {
        sink.Error(t.Path("request"),
                   "invalid duration \"" + *request + "\" (expected e.g. 60s, 1m, 500ms, 1h30m)");
      }
    }
    t.WarnIfPresent("backendRequest", "not supported yet; timeouts.request applies");
  }
  if (const std::optional<std::string> idle = f.String("streamIdleTimeout")) {
    if (const auto d = ParseGatewayDuration(*idle)) {
      rule.stream_idle_timeout = *d;
    } else {
      sink.Error(f.Path("streamIdleTimeout"),
                 "invalid duration \"" + *idle + "\" (expected e.g. 60s, 1m, 500ms, 1h30m)");
    }
  }
  if (const std::optional<std::string> owned_by = f.String("modelsOwnedBy")) {
    rule.models_owned_by = *owned_by;
  }
  if (const std::optional<std::string> created = f.String("modelsCreatedAt")) {
    rule.models_created_at = ParseRfc3339(*created);
    if (!rule.models_created_at.has_value()) {
      sink.Error(f.Path("modelsCreatedAt"),
                 "invalid RFC 3339 time \"" + *created + "\" (expected e.g. 2024-05-21T10:00:00Z)");
    }
  }
  if (rule.name.empty()) rule.name = "rule/" + std::to_string(index);
  if (rule.backend_refs.empty()) {
    sink.Warn(JoinPath(path, "backendRefs"),
              "no backends: requests matching this rule cannot be served");
  }
}

void ParseAIGatewayRoute(Fields& doc, const Origin& origin, std::optional<int64_t> created,
                         model::Resources& out) {
  Sink& sink = doc.sink();
  model::AIGatewayRoute route;
  route.origin = origin;
  route.creation_timestamp = created;
  Fields spec(doc.Get("spec"), "spec", sink);
  if (spec.Has("filterConfig")) {
    sink.Error("spec.filterConfig",
               "was removed in v0.6; move it to a GatewayConfig (spec.extProc) and reference that "
               "GatewayConfig from the Gateway with the annotation "
               "aigateway.envoyproxy.io/gateway-config: <name>");
  }
  spec.WarnIfPresent("schema",
                     "removed before v0.6 (the client schema follows the request path); ignored");
  spec.WarnIfPresent("targetRefs", "removed before v0.6; use parentRefs; ignored");
  spec.WarnIfPresent("rateLimitsFromHeaders", "not supported yet; ignored");
  ForEach(spec, "parentRefs", [&](const YAML::Node& item, const std::string& path, size_t) {
    ObjectRef ref = ParseRef(item, path, sink, origin.ns, kGatewayApiGroup, "Gateway");
    if (ref.kind != "Gateway") {
      sink.Error(JoinPath(path, "kind"), "only Gateway is supported, got \"" + ref.kind + "\"");
      return;
    }
    if (!ref.name.empty()) route.parent_refs.push_back(std::move(ref));
  });
  const std::vector<std::string> hostnames = spec.StringList("hostnames");
  for (size_t i = 0; i < hostnames.size(); ++i) {
    std::string h = AsciiLower(hostnames[i]);
    if (!ValidHostname(h)) {
      sink.Error(IndexPath("spec.hostnames", i),
                 "invalid hostname \"" + hostnames[i] +
                     "\" (a DNS name, optionally starting with \"*.\")");
      continue;
    }
    route.hostnames.push_back(std::move(h));
  }
  const YAML::Node rules = spec.Seq("rules");
  if (!Present(rules) || rules.size() == 0) {
    sink.Error("spec.rules", "at least one rule is required");
  } else if (rules.size() > kMaxRules) {
    sink.Error("spec.rules", "has " + std::to_string(rules.size()) + " rules; at most " +
                                 std::to_string(kMaxRules) +
                                 " are allowed per AIGatewayRoute (split them across routes)");
  }
  std::set<std::string> names;
  for (size_t i = 0; Present(rules) && i < rules.size(); ++i) {
    const std::string path = IndexPath("spec.rules", i);
    model::RouteRule rule;
    ParseRule(rules[i], path, i, origin, sink, rule);
    if (rule.name == kReservedRuleName) {
      sink.Error(JoinPath(path, "name"),
                 "\"route-not-found\" is reserved for the gateway's catch-all rule");
    } else if (!names.insert(rule.name).second) {
      sink.Error(JoinPath(path, "name"),
                 "duplicate rule name \"" + rule.name + "\" (rule names must be unique)");
    }
    route.rules.push_back(std::move(rule));
  }
  route.costs = ParseCosts(spec, "llmRequestCosts");
  out.routes.push_back(std::move(route));
}

// ---- BackendSecurityPolicy -----------------------------------------------------------------

// spec.awsCredentials (api/v1beta1/backendsecurity_policy.go BackendSecurityPolicyAWSCredentials):
// region, and credentialsFile or oidcExchangeToken; with neither, the default credential chain.
void ParseAwsCredentials(const YAML::Node& node, const std::string& path, const Origin& origin,
                         Sink& sink, model::BackendSecurityPolicy& policy) {
  Fields aws(node, path, sink);
  policy.aws_region = aws.RequiredString("region");
  if (aws.Has("credentialsFile")) {
    Fields file(aws.Get("credentialsFile"), aws.Path("credentialsFile"), sink);
    if (!file.Has("secretRef")) {
      sink.Error(file.Path("secretRef"), "required");
    } else {
      policy.secret_ref_path = file.Path("secretRef");
      policy.aws_credentials_secret_ref =
          ParseRef(file.Get("secretRef"), policy.secret_ref_path, sink, origin.ns, "", "Secret");
    }
    // +kubebuilder:default=default
    if (auto profile = file.String("profile"); profile.has_value() && !profile->empty()) {
      policy.aws_profile = *profile;
    }
  }
  if (aws.Has("oidcExchangeToken")) {
    // AWSOIDCExchangeToken: an OAuth 2.0 client-credentials token from the OIDC provider,
    // exchanged for AWS credentials through STS AssumeRoleWithWebIdentity.
    Fields exchange(aws.Get("oidcExchangeToken"), aws.Path("oidcExchangeToken"), sink);
    policy.aws_oidc = true;
    policy.aws_oidc_role_arn = exchange.RequiredString("awsRoleArn");
    // grantType and aud are not used by the exchange (client credentials is the only grant).
    exchange.Ignore("grantType");
    exchange.Ignore("aud");
    if (!exchange.Has("oidc")) {
      sink.Error(exchange.Path("oidc"), "required");
    } else {
      // Envoy Gateway's OIDC type (gateway.envoyproxy.io/v1alpha1): the browser-flow fields do
      // not apply to a client-credentials exchange and are accepted silently.
      Fields oidc(exchange.Get("oidc"), exchange.Path("oidc"), sink);
      for (std::string_view unused :
           {"clientIDRef", "cookieNames", "cookieConfig", "cookieDomain", "resources",
            "redirectURL", "denyRedirect", "logoutPath", "forwardAccessToken", "defaultTokenTTL",
            "refreshToken", "defaultRefreshTokenTTL", "passThroughAuthHeader", "csrfTokenTTL",
            "disableTokenEncryption"}) {
        oidc.Ignore(unused);
      }
      if (!oidc.Has("provider")) {
        sink.Error(oidc.Path("provider"), "required");
      } else {
        Fields provider(oidc.Get("provider"), oidc.Path("provider"), sink);
        policy.aws_oidc_issuer = provider.RequiredString("issuer");
        policy.aws_oidc_token_endpoint = provider.String("tokenEndpoint").value_or("");
        for (std::string_view unused :
             {"authorizationEndpoint", "backendRef", "backendRefs", "backendSettings"}) {
          provider.Ignore(unused);
        }
      }
      policy.aws_oidc_client_id = oidc.RequiredString("clientID");
      if (!oidc.Has("clientSecret")) {
        sink.Error(oidc.Path("clientSecret"), "required");
      } else {
        policy.aws_oidc_client_secret_path = oidc.Path("clientSecret");
        policy.aws_oidc_client_secret_ref =
            ParseRef(oidc.Get("clientSecret"), policy.aws_oidc_client_secret_path, sink, origin.ns,
                     "", "Secret");
      }
      policy.aws_oidc_scopes = oidc.StringList("scopes");
    }
    if (policy.aws_credentials_secret_ref.has_value()) {
      sink.Warn(aws.Path("oidcExchangeToken"),
                "ignored: credentialsFile is set too and takes precedence");
    }
  }
}

void ParseBackendSecurityPolicy(Fields& doc, const Origin& origin, model::Resources& out) {
  Sink& sink = doc.sink();
  model::BackendSecurityPolicy policy;
  policy.origin = origin;
  Fields spec(doc.Get("spec"), "spec", sink);
  policy.type = spec.RequiredString("type");
  ForEach(spec, "targetRefs", [&](const YAML::Node& item, const std::string& path, size_t) {
    // LocalPolicyTargetReference: no namespace, the policy's own.
    ObjectRef ref = ParseRef(item, path, sink, origin.ns, kAIGatewayGroup, "AIServiceBackend");
    ref.ns = origin.ns;
    if (ref.kind == "InferencePool") {
      sink.Warn(path, "InferencePool targets are not supported yet; ignored");
      return;
    }
    if (ref.kind != "AIServiceBackend") {
      sink.Error(JoinPath(path, "kind"),
                 "must be AIServiceBackend or InferencePool, got \"" + ref.kind + "\"");
      return;
    }
    if (!ref.name.empty()) policy.target_refs.push_back(std::move(ref));
  });
  struct KeyField {
    std::string_view type;
    std::string_view field;
  };
  static constexpr KeyField kKeyFields[] = {
      {"APIKey", "apiKey"}, {"AnthropicAPIKey", "anthropicAPIKey"}, {"AzureAPIKey", "azureAPIKey"}};
  bool known_type = false;
  for (const KeyField& kf : kKeyFields) {
    if (!spec.Has(kf.field)) continue;
    if (policy.type != kf.type) {
      sink.Error(spec.Path(kf.field), "only valid when type is " + std::string(kf.type));
      continue;
    }
    Fields key(spec.Get(kf.field), spec.Path(kf.field), sink);
    if (!key.Has("secretRef")) {
      sink.Error(key.Path("secretRef"), "required");
      continue;
    }
    policy.secret_ref_path = key.Path("secretRef");
    policy.secret_ref =
        ParseRef(key.Get("secretRef"), policy.secret_ref_path, sink, origin.ns, "", "Secret");
  }
  for (const KeyField& kf : kKeyFields) {
    if (policy.type != kf.type) continue;
    known_type = true;
    if (!spec.Has(kf.field)) {
      sink.Error(spec.Path(kf.field), "required when type is " + std::string(kf.type));
    }
  }
  if (spec.Has("awsCredentials")) {
    if (policy.type != "AWSCredentials") {
      sink.Error(spec.Path("awsCredentials"), "only valid when type is AWSCredentials");
    } else {
      ParseAwsCredentials(spec.Get("awsCredentials"), spec.Path("awsCredentials"), origin, sink,
                          policy);
    }
  }
  if (policy.type == "AWSCredentials") {
    known_type = true;
    if (!spec.Has("awsCredentials")) {
      sink.Error(spec.Path("awsCredentials"), "required when type is AWSCredentials");
    }
  }
  static constexpr KeyField kUnsupported[] = {{"GCPCredentials", "gcpCredentials"},
                                              {"AzureCredentials", "azureCredentials"}};
  for (const KeyField& kf : kUnsupported) {
    spec.Ignore(kf.field);
    if (policy.type == kf.type) {
      known_type = true;
      sink.Warn("spec.type", std::string(kf.type) +
                                 " is not supported yet; requests to the backends it targets are "
                                 "sent without these credentials");
    }
  }
  if (!known_type && !policy.type.empty()) {
    sink.Error("spec.type", "unknown type \"" + policy.type +
                                "\" (expected one of APIKey, AnthropicAPIKey, AzureAPIKey, "
                                "AWSCredentials, GCPCredentials, AzureCredentials)");
  }
  spec.WarnIfPresent("credentialOverride", "not supported yet; the configured credential is used");
  out.security_policies.push_back(std::move(policy));
}

// ---- GatewayConfig -------------------------------------------------------------------------

void ParseGatewayConfig(Fields& doc, const Origin& origin, model::Resources& out) {
  Sink& sink = doc.sink();
  model::GatewayConfig config;
  config.origin = origin;
  Fields spec(doc.Get("spec"), "spec", sink);
  // extProc configures the Kubernetes container of Envoy AI Gateway's external processor; Sluice
  // is that processor, so there is nothing to apply.
  spec.Ignore("extProc");
  config.global_costs = ParseCosts(spec, "globalLLMRequestCosts");
  spec.WarnIfPresent("forwardProxy", "not supported yet; backends are reached directly");
  spec.WarnIfPresent("globalRateLimitsFromHeaders", "not supported yet; ignored");
  out.gateway_configs.push_back(std::move(config));
}

// ---- MCPRoute (v1beta1 and v1alpha1: the same fields) --------------------------------------

std::shared_ptr<const RE2> CompileFullRegex(const std::string& pattern, const std::string& path,
                                            Sink& sink) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<RE2>(pattern, options);
  if (!re->ok()) {
    sink.Error(path, "invalid regular expression \"" + pattern + "\": " + re->error());
    return nullptr;
  }
  return re;
}

McpToolSelector ParseToolSelector(const YAML::Node& node, const std::string& path, Sink& sink) {
  McpToolSelector out;
  Fields f(node, path, sink);
  if (f.Has("include") && f.Has("includeRegex")) {
    sink.Error(path, "include and includeRegex are mutually exclusive");
  }
  if (f.Has("exclude") && f.Has("excludeRegex")) {
    sink.Error(path, "exclude and excludeRegex are mutually exclusive");
  }
  out.include = f.StringList("include");
  out.exclude = f.StringList("exclude");
  const std::vector<std::string> include_regex = f.StringList("includeRegex");
  for (size_t i = 0; i < include_regex.size(); ++i) {
    if (auto re = CompileFullRegex(include_regex[i], IndexPath(f.Path("includeRegex"), i), sink)) {
      out.include_regex.push_back(std::move(re));
    }
  }
  const std::vector<std::string> exclude_regex = f.StringList("excludeRegex");
  for (size_t i = 0; i < exclude_regex.size(); ++i) {
    if (auto re = CompileFullRegex(exclude_regex[i], IndexPath(f.Path("excludeRegex"), i), sink)) {
      out.exclude_regex.push_back(std::move(re));
    }
  }
  if (out.empty() && include_regex.empty() && exclude_regex.empty()) {
    sink.Error(path, "at least one of include, includeRegex, exclude or excludeRegex is required");
  }
  return out;
}

// A backend name is the prefix of every tool, prompt and resource it serves ("name__tool"), so it
// must not contain the separator itself.
bool ValidMcpBackendName(std::string_view name) {
  if (name.empty() || name.find("__") != std::string_view::npos) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string NormalizeMcpPath(const std::string& path) {
  if (path.empty()) return "/mcp";
  return path.front() == '/' ? path : "/" + path;
}

void ParseMcpOAuth(const YAML::Node& node, const std::string& path, const Origin& origin,
                   Sink& sink, model::MCPRoute& route) {
  Fields f(node, path, sink);
  McpOAuth oauth;
  oauth.issuer = f.RequiredString("issuer");
  oauth.audiences = f.StringList("audiences");
  if (f.Has("jwks")) {
    Fields jwks(f.Get("jwks"), f.Path("jwks"), sink);
    const bool remote = jwks.Has("remoteJWKS");
    const bool local = jwks.Has("localJWKS");
    if (remote == local) {
      sink.Error(f.Path("jwks"), "exactly one of remoteJWKS or localJWKS is required");
    }
    if (remote) {
      Fields r(jwks.Get("remoteJWKS"), jwks.Path("remoteJWKS"), sink);
      oauth.remote_jwks_uri = r.RequiredString("uri");
      if (!oauth.remote_jwks_uri.empty() && !oauth.remote_jwks_uri.starts_with("http://") &&
          !oauth.remote_jwks_uri.starts_with("https://")) {
        sink.Error(r.Path("uri"), "must be an http:// or https:// URL");
      }
      if (const std::optional<std::string> d = r.String("cacheDuration")) {
        if (const auto parsed = ParseGatewayDuration(*d)) {
          oauth.remote_jwks_cache = *parsed;
        } else {
          sink.Error(r.Path("cacheDuration"), "invalid duration \"" + *d + "\"");
        }
      }
      r.Ignore("backendRefs");
      r.Ignore("backendSettings");
    }
    if (local) {
      Fields l(jwks.Get("localJWKS"), jwks.Path("localJWKS"), sink);
      const std::string type = l.String("type").value_or("Inline");
      if (type == "Inline") {
        oauth.local_jwks = l.RequiredString("inline");
      } else if (type == "ValueRef") {
        route.jwks_config_map_ref =
            ParseRef(l.Get("valueRef"), l.Path("valueRef"), sink, origin.ns, "", "ConfigMap");
      } else {
        sink.Error(l.Path("type"), "must be Inline or ValueRef, got \"" + type + "\"");
      }
    }
  } else {
    sink.Error(f.Path("jwks"),
               "required (discovery of the JWKS from the issuer's metadata is not supported)");
  }
  if (f.Has("protectedResourceMetadata")) {
    Fields m(f.Get("protectedResourceMetadata"), f.Path("protectedResourceMetadata"), sink);
    oauth.resource = m.RequiredString("resource");
    oauth.resource_name = m.String("resourceName").value_or("");
    oauth.scopes_supported = m.StringList("scopesSupported");
    oauth.signing_algs = m.StringList("resourceSigningAlgValuesSupported");
    oauth.resource_documentation = m.String("resourceDocumentation").value_or("");
    oauth.resource_policy_uri = m.String("resourcePolicyUri").value_or("");
  } else {
    sink.Error(f.Path("protectedResourceMetadata"), "required");
  }
  ForEach(f, "claimToHeaders", [&](const YAML::Node& item, const std::string& item_path, size_t) {
    Fields c(item, item_path, sink);
    McpClaimToHeader ch;
    ch.header = AsciiLower(c.RequiredString("header"));
    ch.claim = c.RequiredString("claim");
    if (!ch.header.empty() && !ch.claim.empty()) oauth.claim_to_headers.push_back(std::move(ch));
  });
  route.route.oauth = std::move(oauth);
}

std::optional<bool> ParseAction(Fields& f, std::string_view key, bool fallback) {
  const std::optional<std::string> a = f.String(key);
  if (!a.has_value()) return fallback;
  if (*a == "Allow") return true;
  if (*a == "Deny") return false;
  f.sink().Error(f.Path(key), "must be Allow or Deny, got \"" + *a + "\"");
  return std::nullopt;
}

void ParseMcpAuthorization(const YAML::Node& node, const std::string& path, Sink& sink,
                           McpRoute& route) {
  Fields f(node, path, sink);
  McpAuthorization authz;
  authz.default_allow = ParseAction(f, "defaultAction", false).value_or(false);
  ForEach(f, "rules", [&](const YAML::Node& item, const std::string& rule_path, size_t) {
    Fields r(item, rule_path, sink);
    McpAuthzRule rule;
    rule.allow = ParseAction(r, "action", true).value_or(true);
    if (r.Has("cel")) {
      sink.Error(r.Path("cel"), "CEL authorization rules are not supported yet");
    }
    if (r.Has("source")) {
      Fields src(r.Get("source"), r.Path("source"), sink);
      Fields jwt(src.Get("jwt"), src.Path("jwt"), sink);
      rule.scopes = jwt.StringList("scopes");
      ForEach(jwt, "claims", [&](const YAML::Node& c_item, const std::string& c_path, size_t) {
        Fields c(c_item, c_path, sink);
        McpClaimRequirement claim;
        claim.name = c.RequiredString("name");
        c.Ignore("valueType");
        claim.values = c.StringList("values");
        if (!claim.name.empty()) rule.claims.push_back(std::move(claim));
      });
    }
    if (r.Has("target")) {
      Fields t(r.Get("target"), r.Path("target"), sink);
      ForEach(t, "tools", [&](const YAML::Node& t_item, const std::string& t_path, size_t) {
        Fields tool(t_item, t_path, sink);
        McpToolTarget target;
        target.backend = tool.RequiredString("backend");
        target.tool = tool.RequiredString("tool");
        rule.tools.push_back(std::move(target));
      });
    }
    authz.rules.push_back(std::move(rule));
  });
  route.authorization = std::move(authz);
}

void ParseMCPRoute(Fields& doc, const Origin& origin, model::Resources& out) {
  Sink& sink = doc.sink();
  model::MCPRoute route;
  route.origin = origin;
  route.route.name = origin.Key();
  Fields spec(doc.Get("spec"), "spec", sink);
  ForEach(spec, "parentRefs", [&](const YAML::Node& item, const std::string& path, size_t) {
    ObjectRef ref = ParseRef(item, path, sink, origin.ns, kGatewayApiGroup, "Gateway");
    if (ref.kind != "Gateway") {
      sink.Error(JoinPath(path, "kind"), "only Gateway is supported, got \"" + ref.kind + "\"");
      return;
    }
    if (!ref.name.empty()) route.parent_refs.push_back(std::move(ref));
  });
  const std::vector<std::string> hostnames = spec.StringList("hostnames");
  for (size_t i = 0; i < hostnames.size(); ++i) {
    std::string h = AsciiLower(hostnames[i]);
    if (!ValidHostname(h)) {
      sink.Error(IndexPath("spec.hostnames", i), "invalid hostname \"" + hostnames[i] + "\"");
      continue;
    }
    route.route.hostnames.push_back(std::move(h));
  }
  route.route.path = NormalizeMcpPath(spec.String("path").value_or("/mcp"));
  ForEach(spec, "headers", [&](const YAML::Node& item, const std::string& h_path, size_t) {
    Fields h(item, h_path, sink);
    HeaderMatch header;
    header.name = AsciiLower(h.RequiredString("name"));
    header.value = h.String("value").value_or("");
    const std::string type = h.String("type").value_or("Exact");
    if (type == "RegularExpression") {
      header.type = MatchType::kRegularExpression;
      header.regex = CompileFullRegex(header.value, JoinPath(h_path, "value"), sink);
      if (!header.regex) return;
    } else if (type != "Exact") {
      sink.Error(JoinPath(h_path, "type"),
                 "must be Exact or RegularExpression, got \"" + type + "\"");
      return;
    }
    if (!header.name.empty()) route.route.headers.push_back(std::move(header));
  });
  const YAML::Node refs = spec.Seq("backendRefs");
  if (!Present(refs) || refs.size() == 0) {
    sink.Error("spec.backendRefs", "at least one backend is required");
  }
  std::set<std::string> names;
  ForEach(spec, "backendRefs", [&](const YAML::Node& item, const std::string& ref_path, size_t) {
    Fields r(item, ref_path, sink);
    model::McpRouteBackendRef ref;
    ref.path = ref_path;
    ref.name = r.RequiredString("name");
    ref.ns = r.String("namespace").value_or(origin.ns);
    if (ref.ns != origin.ns) {
      sink.Error(JoinPath(ref_path, "namespace"),
                 "cross-namespace backends are not supported (the MCPRoute is in " + origin.ns +
                     ")");
    }
    const std::string kind = r.String("kind").value_or("Backend");
    r.Ignore("group");
    r.Ignore("port");
    if (kind != "Backend") {
      sink.Error(JoinPath(ref_path, "kind"),
                 "only Envoy Gateway Backend is supported, got \"" + kind + "\"");
    }
    if (!ref.name.empty() && !ValidMcpBackendName(ref.name)) {
      sink.Error(JoinPath(ref_path, "name"),
                 "\"" + ref.name + "\" cannot prefix tool names (letters, digits, '-', '.', '_'; "
                 "no \"__\")");
    }
    if (!ref.name.empty() && !names.insert(ref.name).second) {
      sink.Error(JoinPath(ref_path, "name"), "duplicate backend name \"" + ref.name + "\"");
    }
    ref.backend.name = ref.name;
    ref.backend.path = NormalizeMcpPath(r.String("path").value_or("/mcp"));
    if (r.Has("toolSelector")) {
      ref.backend.tools =
          ParseToolSelector(r.Get("toolSelector"), JoinPath(ref_path, "toolSelector"), sink);
    }
    ForEach(r, "forwardHeaders", [&](const YAML::Node& h_item, const std::string& h_path, size_t) {
      Fields h(h_item, h_path, sink);
      McpForwardHeader fh;
      fh.name = AsciiLower(h.RequiredString("name"));
      fh.backend_header = AsciiLower(h.String("backendHeader").value_or(fh.name));
      if (!fh.name.empty()) ref.backend.forward_headers.push_back(std::move(fh));
    });
    if (r.Has("securityPolicy")) {
      Fields sp(r.Get("securityPolicy"), JoinPath(ref_path, "securityPolicy"), sink);
      sp.WarnIfPresent("tokenExchange", "not supported yet; requests carry no exchanged token");
      if (sp.Has("apiKey")) {
        Fields k(sp.Get("apiKey"), sp.Path("apiKey"), sink);
        if (k.Has("secretRef") == k.Has("inline")) {
          sink.Error(sp.Path("apiKey"), "exactly one of secretRef or inline is required");
        }
        if (k.Has("secretRef")) {
          ref.api_key_secret_ref =
              ParseRef(k.Get("secretRef"), k.Path("secretRef"), sink, origin.ns, "", "Secret");
        }
        ref.api_key_inline = k.String("inline");
        const std::optional<std::string> header = k.String("header");
        const std::optional<std::string> query = k.String("queryParam");
        if (header.has_value() && query.has_value()) {
          sink.Error(sp.Path("apiKey"), "only one of header or queryParam can be set");
        }
        if (query.has_value()) {
          ref.api_key_query_param = *query;
        } else {
          ref.api_key_header = AsciiLower(header.value_or("authorization"));
        }
      }
    }
    route.backend_refs.push_back(std::move(ref));
  });
  if (spec.Has("securityPolicy")) {
    Fields sp(spec.Get("securityPolicy"), "spec.securityPolicy", sink);
    if (sp.Has("oauth")) ParseMcpOAuth(sp.Get("oauth"), sp.Path("oauth"), origin, sink, route);
    if (sp.Has("authorization")) {
      ParseMcpAuthorization(sp.Get("authorization"), sp.Path("authorization"), sink, route.route);
    }
    sp.WarnIfPresent("apiKeyAuth", "not supported yet; ignored");
    sp.WarnIfPresent("extAuth", "not supported yet; ignored");
  }
  spec.WarnIfPresent("backendSelector", "not supported yet; every backend is selected");
  out.mcp_routes.push_back(std::move(route));
}

// ---- documents -----------------------------------------------------------------------------

struct KindInfo {
  std::string_view kind;
  std::string_view group;  // "" = Kubernetes core ("v1")
};
constexpr KindInfo kHandledKinds[] = {
    {"Gateway", kGatewayApiGroup},
    {"BackendTLSPolicy", kGatewayApiGroup},
    {"Backend", kEnvoyGatewayGroup},
    {"ConfigMap", ""},
    {"Secret", ""},
    {"AIServiceBackend", kAIGatewayGroup},
    {"AIGatewayRoute", kAIGatewayGroup},
    {"BackendSecurityPolicy", kAIGatewayGroup},
    {"GatewayConfig", kAIGatewayGroup},
    {"MCPRoute", kAIGatewayGroup},
    // Sluice-internal: how AutoConfigYaml reports an incomplete environment (see load.h).
    {"AutoConfigError", "sluice"},
};

void ParseDocument(const YAML::Node& doc, size_t index, std::string_view file, const GetEnv& env,
                   model::Resources& out, Diagnostics& diag) {
  if (!Present(doc)) return;  // empty document, e.g. a trailing "---"
  const std::string where = std::string(file) + ": document " + std::to_string(index + 1) +
                            " (line " + std::to_string(doc.Mark().line + 1) + ")";
  if (!doc.IsMap()) {
    diag.errors.push_back(where + ": expected a mapping with apiVersion, kind and metadata");
    return;
  }
  const YAML::Node kind_node = doc["kind"];
  if (!Present(kind_node) || !kind_node.IsScalar() || kind_node.Scalar().empty()) {
    diag.errors.push_back(where + ": missing kind");
    return;
  }
  Origin origin;
  origin.file = std::string(file);
  origin.kind = kind_node.Scalar();
  const YAML::Node meta = doc["metadata"];
  if (Present(meta) && meta.IsMap()) {
    const YAML::Node name = meta["name"];
    const YAML::Node ns = meta["namespace"];
    if (Present(name) && name.IsScalar()) origin.name = name.Scalar();
    if (Present(ns) && ns.IsScalar() && !ns.Scalar().empty()) origin.ns = ns.Scalar();
  }

  const YAML::Node api_node = doc["apiVersion"];
  const std::string api_version =
      Present(api_node) && api_node.IsScalar() ? api_node.Scalar() : std::string();
  const size_t slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const std::string version =
      slash == std::string::npos ? api_version : api_version.substr(slash + 1);

  const KindInfo* info = nullptr;
  for (const KindInfo& k : kHandledKinds) {
    if (k.kind == origin.kind) info = &k;
  }
  if (info == nullptr || info->group != group) {
    diag.ignored.push_back(origin.Id());
    const bool quiet = std::find(std::begin(kQuietlyIgnoredKinds), std::end(kQuietlyIgnoredKinds),
                                 origin.kind) != std::end(kQuietlyIgnoredKinds);
    if (info != nullptr) {
      diag.warnings.push_back(
          origin.Prefix() + ": apiVersion \"" + api_version + "\" is not " +
          (info->group.empty() ? std::string("v1") : std::string(info->group) + "/...") +
          "; ignored");
    } else if (!quiet) {
      diag.warnings.push_back(origin.Prefix() + ": kind " + origin.kind +
                              " is not known to Sluice; ignored");
    }
    return;
  }

  Sink sink(diag, origin.Prefix());
  if (origin.name.empty()) {
    sink.Error("metadata.name", "required");
    return;
  }
  if (group == kAIGatewayGroup) {
    if (version == "v1alpha1") {
      sink.Warn("apiVersion",
                "aigateway.envoyproxy.io/v1alpha1 is deprecated; use "
                "aigateway.envoyproxy.io/v1beta1 (the fields are the same)");
    } else if (version != "v1beta1") {
      sink.Warn("apiVersion", "unknown version \"" + version + "\"; read as v1beta1");
    }
  }

  Fields top(doc, "", sink);
  top.Ignore("apiVersion");
  top.Ignore("kind");
  top.Ignore("metadata");
  top.Ignore("status");
  std::map<std::string, std::string> annotations;
  std::optional<int64_t> created;
  ParseMetadata(meta, sink, annotations, created);

  const std::string_view kind = origin.kind;
  if (kind == "Gateway") {
    ParseGateway(top, origin, annotations, out);
  } else if (kind == "Backend") {
    ParseBackend(top, origin, out);
  } else if (kind == "BackendTLSPolicy") {
    ParseBackendTlsPolicy(top, origin, out);
  } else if (kind == "ConfigMap") {
    ParseConfigMap(top, origin, out);
  } else if (kind == "Secret") {
    ParseSecret(top, origin, annotations, env, out);
  } else if (kind == "AIServiceBackend") {
    ParseAIServiceBackend(top, origin, out);
  } else if (kind == "AIGatewayRoute") {
    ParseAIGatewayRoute(top, origin, created, out);
  } else if (kind == "BackendSecurityPolicy") {
    ParseBackendSecurityPolicy(top, origin, out);
  } else if (kind == "GatewayConfig") {
    ParseGatewayConfig(top, origin, out);
  } else if (kind == "MCPRoute") {
    ParseMCPRoute(top, origin, out);
  } else if (kind == "AutoConfigError") {
    top.Ignore("message");
    const YAML::Node message = doc["message"];
    diag.errors.push_back(
        std::string(file) + ": " +
        (Present(message) && message.IsScalar() ? message.Scalar() : std::string("autoconfig")));
  }
}

}  // namespace

std::string NormalizeBodyMutationValue(std::string_view value) {
  boost::system::error_code ec;
  (void)boost::json::parse(value, ec);
  if (!ec) return std::string(value);
  return JsonQuote(value);
}

std::string NormalizePrefix(std::string_view prefix) {
  std::string_view p = TrimWhitespace(prefix);
  while (p.starts_with('/')) p.remove_prefix(1);
  while (p.ends_with('/')) p.remove_suffix(1);
  if (p.empty()) return "";
  return "/" + std::string(p);
}

void ParseText(std::string_view text, std::string_view file, const GetEnv& env,
               model::Resources& out, model::Diagnostics& diag) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    diag.errors.push_back(std::string(file) + ": line " + std::to_string(e.mark.line + 1) +
                          ", column " + std::to_string(e.mark.column + 1) +
                          ": YAML syntax error: " + e.msg);
    return;
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    try {
      ParseDocument(docs[i], i, file, env, out, diag);
    } catch (const YAML::Exception& e) {
      // Defensive: every access above checks node types first, so this means a yaml-cpp corner
      // we did not foresee; report it instead of letting it escape.
      diag.errors.push_back(std::string(file) + ": document " + std::to_string(i + 1) + ": " +
                            e.what());
    }
  }
}

}  // namespace sluice::config
