#include "sluice/mcp/jwt.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "sluice/core/strings.h"
#include "sluice/mcp/encoding.h"

namespace sluice::mcp {

namespace {

namespace json = boost::json;
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using http::kNoThrow;

constexpr int64_t kLeewaySeconds = 60;
constexpr size_t kMaxTokenBytes = 16 * 1024;
constexpr size_t kMaxVerifiedTokens = 4096;  // per worker; the cache is dropped when full

Error Invalid(std::string message) {
  return Error(ErrorKind::kInvalidArgument, std::move(message), ErrorSource::kClient);
}

enum class KeyType { kRsa, kEc256, kEd25519 };

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

std::optional<std::string> B64Field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return Base64UrlDecode(v->get_string());
}

Pkey RsaKey(const std::string& n, const std::string& e) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  BIGNUM* bn_n =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), int(n.size()), nullptr);
  BIGNUM* bn_e =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), int(e.size()), nullptr);
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* pkey = nullptr;
  if (ctx && params && EVP_PKEY_fromdata_init(ctx) == 1) {
    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return Pkey(pkey);
}

Pkey EcP256Key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::string point = "\x04" + x + y;  // SEC 1 §2.3.3 uncompressed point
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"),
                                       0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* pkey = nullptr;
  if (ctx && EVP_PKEY_fromdata_init(ctx) == 1) {
    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
  }
  EVP_PKEY_CTX_free(ctx);
  return Pkey(pkey);
}

// ES256 signatures are r‖s, 32 bytes each (RFC 7518 §3.4); OpenSSL verifies DER.
std::optional<std::string> RawEcdsaToDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), size_t(len));
  OPENSSL_free(der);
  return out;
}

bool VerifySignature(EVP_PKEY* key, std::string_view alg, std::string_view signing_input,
                     std::string_view signature) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = false;
  std::string der;
  const bool eddsa = alg == "EdDSA";
  if (EVP_DigestVerifyInit(md, &pctx, eddsa ? nullptr : EVP_sha256(), nullptr, key) == 1) {
    bool ready = true;
    if (alg == "PS256") {
      // RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash.
      ready = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
    }
    if (alg == "ES256") {
      auto converted = RawEcdsaToDer(signature);
      if (converted) {
        der = std::move(*converted);
        signature = der;
      } else {
        ready = false;
      }
    }
    ok = ready && EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()),
                                   signature.size(),
                                   reinterpret_cast<const unsigned char*>(signing_input.data()),
                                   signing_input.size()) == 1;
  }
  EVP_MD_CTX_free(md);
  return ok;
}

std::vector<std::string> Scopes(const json::object& claims) {
  std::vector<std::string> out;
  for (std::string_view key : {"scope", "scp"}) {
    const json::value* v = claims.if_contains(key);
    if (v == nullptr) continue;
    if (v->is_string()) {
      for (auto s : Split(v->get_string(), ' ')) {
        if (!s.empty()) out.emplace_back(s);
      }
    } else if (v->is_array()) {
      for (const auto& item : v->get_array()) {
        if (item.is_string()) out.emplace_back(item.get_string());
      }
    }
  }
  return out;
}

std::optional<int64_t> NumericDate(const json::object& claims, std::string_view key) {
  const json::value* v = claims.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return std::nullopt;
}

}  // namespace

struct JwkSet::Key {
  std::string kid;
  std::string alg;  // optional "alg" of the JWK
  KeyType type;
  Pkey pkey;
};

JwkSet::~JwkSet() = default;

Result<std::shared_ptr<const JwkSet>> JwkSet::Parse(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return Invalid("JWKS is not a JSON object");
  const json::value* keys = doc.get_object().if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return Invalid("JWKS has no \"keys\" array");
  auto set = std::shared_ptr<JwkSet>(new JwkSet());
  for (const auto& k : keys->get_array()) {
    if (!k.is_object()) continue;
    const json::object& o = k.get_object();
    auto str = [&](std::string_view key) {
      const json::value* v = o.if_contains(key);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    // Only signature keys (RFC 7517 §4.2); unknown key types are skipped, not fatal.
    if (const std::string use = str("use"); !use.empty() && use != "sig") continue;
    auto key = std::make_unique<Key>();
    key->kid = str("kid");
    key->alg = str("alg");
    const std::string kty = str("kty");
    if (kty == "RSA") {
      auto n = B64Field(o, "n");
      auto e = B64Field(o, "e");
      if (!n || !e) continue;
      key->type = KeyType::kRsa;
      key->pkey = RsaKey(*n, *e);
    } else if (kty == "EC" && str("crv") == "P-256") {
      auto x = B64Field(o, "x");
      auto y = B64Field(o, "y");
      if (!x || !y) continue;
      key->type = KeyType::kEc256;
      key->pkey = EcP256Key(*x, *y);
    } else if (kty == "OKP" && str("crv") == "Ed25519") {
      auto x = B64Field(o, "x");
      if (!x || x->size() != 32) continue;
      key->type = KeyType::kEd25519;
      key->pkey.reset(EVP_PKEY_new_raw_public_key(
          EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()), 32));
    } else {
      continue;
    }
    if (key->pkey) set->keys_.push_back(std::move(key));
  }
  return std::shared_ptr<const JwkSet>(std::move(set));
}

const JwkSet::Key* JwkSet::Find(std::string_view kid) const {
  if (kid.empty()) return keys_.size() == 1 ? keys_.front().get() : nullptr;
  for (const auto& k : keys_) {
    if (k->kid == kid) return k.get();
  }
  return nullptr;
}

Result<VerifiedToken> VerifyJwt(std::string_view token, const JwkSet& keys,
                                const config::McpOAuth& oauth, int64_t now) {
  if (token.size() > kMaxTokenBytes) return Invalid("token too long");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Invalid("not a compact JWS");
  }
  auto header_bytes = Base64UrlDecode(token.substr(0, dot1));
  auto payload_bytes = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!header_bytes || !payload_bytes || !signature) return Invalid("invalid base64url");
  boost::system::error_code ec;
  json::value header = json::parse(*header_bytes, ec);
  if (ec || !header.is_object()) return Invalid("invalid JOSE header");
  const json::value* alg_v = header.get_object().if_contains("alg");
  if (alg_v == nullptr || !alg_v->is_string()) return Invalid("missing alg");
  const std::string alg(alg_v->get_string());
  // RFC 8725 §3.1: only the algorithms a key type allows; never "none", never HMAC (an HMAC
  // "verified" with a public key as its secret is forgeable by anyone holding that public key).
  KeyType want;
  if (alg == "RS256" || alg == "PS256") {
    want = KeyType::kRsa;
  } else if (alg == "ES256") {
    want = KeyType::kEc256;
  } else if (alg == "EdDSA") {
    want = KeyType::kEd25519;
  } else {
    return Invalid("algorithm \"" + alg + "\" is not accepted");
  }
  if (const json::value* crit = header.get_object().if_contains("crit"); crit != nullptr) {
    return Invalid("unsupported critical header parameters");  // RFC 7515 §4.1.11
  }
  std::string kid;
  if (const json::value* k = header.get_object().if_contains("kid"); k && k->is_string()) {
    kid = std::string(k->get_string());
  }
  const JwkSet::Key* key = keys.Find(kid);
  if (key == nullptr) return Invalid("unknown key id \"" + kid + "\"");
  if (key->type != want || (!key->alg.empty() && key->alg != alg)) {
    return Invalid("key \"" + kid + "\" does not allow " + alg);
  }
  if (!VerifySignature(key->pkey.get(), alg, token.substr(0, dot2), *signature)) {
    return Invalid("bad signature");
  }
  json::value payload = json::parse(*payload_bytes, ec);
  if (ec || !payload.is_object()) return Invalid("invalid claims");
  VerifiedToken out;
  out.claims = std::move(payload.get_object());
  const json::object& c = out.claims;
  const json::value* iss = c.if_contains("iss");
  if (iss == nullptr || !iss->is_string() || iss->get_string() != oauth.issuer) {
    return Invalid("wrong issuer");
  }
  if (!oauth.audiences.empty()) {
    bool match = false;
    const json::value* aud = c.if_contains("aud");
    auto check = [&](const json::value& v) {
      if (!v.is_string()) return;
      for (const auto& a : oauth.audiences) match = match || v.get_string() == a;
    };
    if (aud && aud->is_array()) {
      for (const auto& a : aud->get_array()) check(a);
    } else if (aud) {
      check(*aud);
    }
    if (!match) return Invalid("wrong audience");
  }
  const auto exp = NumericDate(c, "exp");
  if (!exp) return Invalid("missing exp");  // RFC 9068 §2.2: access tokens carry exp
  if (now > *exp + kLeewaySeconds) return Invalid("token expired");
  if (const auto nbf = NumericDate(c, "nbf"); nbf && now + kLeewaySeconds < *nbf) {
    return Invalid("token not yet valid");
  }
  if (const json::value* sub = c.if_contains("sub"); sub && sub->is_string()) {
    out.subject = std::string(sub->get_string());
  }
  out.scopes = Scopes(c);
  return out;
}

JwtValidator::JwtValidator(http::Executor executor, http::UpstreamPool& pool)
    : executor_(executor), pool_(pool) {}

JwtValidator::~JwtValidator() = default;

http::Task<Result<std::shared_ptr<const JwkSet>>> JwtValidator::Fetch(const std::string& uri) {
  auto url = boost::urls::parse_absolute_uri(uri);
  if (!url) co_return Invalid("invalid JWKS URL");
  http::UpstreamTarget target;
  target.host = std::string(url->host_address());
  target.tls = url->scheme() == "https";
  target.port = url->has_port() ? url->port_number() : (target.tls ? 443 : 80);
  target.key = "jwks|" + target.host + ":" + std::to_string(target.port);
  if (target.tls) {
    auto& ctx = tls_["sys"];
    if (!ctx) {
      auto made = http::MakeClientTlsContext(true, {});
      if (!made.ok()) co_return made.error();
      ctx = std::move(made).value();
    }
    target.ssl_ctx = ctx;
    target.sni = target.host;
    target.key += "|tls";
  }
  std::string path(url->encoded_path());
  if (path.empty()) path = "/";
  if (url->has_query()) path += "?" + std::string(url->encoded_query());
  std::string host_header = target.host;
  if (url->has_port()) host_header += ":" + std::to_string(target.port);
  const std::string head = "GET " + path + " HTTP/1.1\r\nhost: " + host_header +
                           "\r\naccept: application/json\r\ncontent-length: 0\r\n\r\n";
  auto conn = co_await pool_.Acquire(target, std::chrono::seconds(5));
  if (!conn.ok()) co_return conn.error();
  http::Timer timer(executor_, std::chrono::seconds(10));
  auto sent = co_await (*conn)->Send(head, {});
  if (!sent.ok()) co_return sent.error();
  auto raced = co_await ((*conn)->ReadHead() || timer.async_wait(kNoThrow));
  if (raced.index() == 1) {
    (*conn)->Close();
    co_return Error(ErrorKind::kTimeout, "JWKS fetch timed out", ErrorSource::kUpstream);
  }
  auto head_result = std::get<0>(std::move(raced));
  if (!head_result.ok()) co_return head_result.error();
  const int status = (*head_result)->status;
  std::string body;
  while (true) {
    auto piece = co_await (*conn)->ReadBody();
    if (!piece.ok()) co_return piece.error();
    if (!piece->has_value()) break;
    body.append(**piece);
    if (body.size() > (size_t{1} << 20)) co_return Invalid("JWKS too large");
  }
  if ((*conn)->reusable()) pool_.Release(std::move(conn).value());
  if (status != 200) {
    co_return Error(ErrorKind::kUnavailable,
                    "JWKS fetch answered " + std::to_string(status),
                    ErrorSource::kUpstream);
  }
  co_return JwkSet::Parse(body);
}

http::Task<Result<VerifiedToken>> JwtValidator::Verify(const config::McpOAuth& oauth,
                                                       std::string_view token) {
  // A client sends the same token with every request of a session: verify it once, then serve
  // it from this worker's cache until it expires. The key includes the rules it was checked
  // against, so a config reload that changes them verifies again.
  std::string key(token);
  key += '\n';
  key += oauth.issuer;
  for (const auto& a : oauth.audiences) {
    key += '\n';
    key += a;
  }
  key += '\n';
  key += oauth.remote_jwks_uri.empty() ? std::to_string(std::hash<std::string>{}(oauth.local_jwks))
                                       : oauth.remote_jwks_uri;
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (auto it = verified_.find(key); it != verified_.end()) {
    if (now <= it->second.expires + kLeewaySeconds) co_return it->second.token;
    verified_.erase(it);
  }
  auto result = co_await VerifyUncached(oauth, token);
  if (result.ok()) {
    if (verified_.size() >= kMaxVerifiedTokens) verified_.clear();
    verified_.emplace(std::move(key),
                      VerifiedEntry{*result, NumericDate(result->claims, "exp").value_or(now)});
  }
  co_return result;
}

http::Task<Result<VerifiedToken>> JwtValidator::VerifyUncached(const config::McpOAuth& oauth,
                                                               std::string_view token_view) {
  const std::string token(token_view);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (oauth.remote_jwks_uri.empty()) {
    Cached& c = cache_["inline:" + oauth.local_jwks];
    if (!c.keys) {
      auto parsed = JwkSet::Parse(oauth.local_jwks);
      if (!parsed.ok()) co_return parsed.error();
      c.keys = std::move(parsed).value();
    }
    co_return VerifyJwt(token, *c.keys, oauth, now);
  }
  Cached& c = cache_[oauth.remote_jwks_uri];
  const auto steady = std::chrono::steady_clock::now();
  const bool stale = !c.keys || steady - c.fetched_at > oauth.remote_jwks_cache;
  if (stale && steady - c.last_attempt > std::chrono::seconds(1)) {
    c.last_attempt = steady;
    auto fetched = co_await Fetch(oauth.remote_jwks_uri);
    if (fetched.ok()) {
      c.keys = std::move(fetched).value();
      c.fetched_at = steady;
    } else if (!c.keys) {
      co_return Invalid("JWKS unavailable: " + fetched.error().message());
    }
  }
  if (!c.keys) co_return Invalid("JWKS unavailable");
  auto result = VerifyJwt(token, *c.keys, oauth, now);
  if (!result.ok() && result.error().message().starts_with("unknown key id") &&
      steady - c.last_attempt > std::chrono::seconds(1)) {
    // Key rotation: a token signed with a key published after the last fetch.
    c.last_attempt = steady;
    auto fetched = co_await Fetch(oauth.remote_jwks_uri);
    if (fetched.ok()) {
      c.keys = std::move(fetched).value();
      c.fetched_at = steady;
      result = VerifyJwt(token, *c.keys, oauth, now);
    }
  }
  co_return result;
}

}  // namespace sluice::mcp
