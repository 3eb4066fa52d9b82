#include "sluice/auth/aws_sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>

#include "sluice/core/strings.h"

namespace sluice::auth {

namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string Hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

// RFC 3986 unreserved characters are the only ones SigV4 leaves unencoded.
bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void AppendEncoded(std::string& out, std::string_view s, bool keep_slash) {
  static constexpr char kUpperHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kUpperHex[c >> 4];
      out += kUpperHex[c & 0xF];
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; a '%' not followed by two hex digits stays as it is. '+' stays '+'.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Header values are trimmed and runs of spaces collapse to one (SigV4 "canonical headers").
std::string CanonicalHeaderValue(std::string_view value) {
  value = TrimWhitespace(value);
  std::string out;
  out.reserve(value.size());
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool IsRegionName(std::string_view s) {
  // e.g. us-east-1, us-gov-west-1, ap-southeast-2, cn-north-1, eusc-de-east-1
  auto parts = Split(s, '-');
  if (parts.size() < 3) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) return false;
    const bool last = i + 1 == parts.size();
    for (char c : parts[i]) {
      if (last ? !(c >= '0' && c <= '9') : !(c >= 'a' && c <= 'z')) return false;
    }
  }
  return true;
}

struct KeyCache {
  std::string secret, date, region, service, key;
};

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string SigV4SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                            std::string_view service) {
  thread_local KeyCache cache;
  if (cache.secret == secret && cache.date == date && cache.region == region &&
      cache.service == service && !cache.key.empty()) {
    return cache.key;
  }
  std::string k = Hmac("AWS4" + std::string(secret), date);
  k = Hmac(k, region);
  k = Hmac(k, service);
  k = Hmac(k, "aws4_request");
  cache = {std::string(secret), std::string(date), std::string(region), std::string(service), k};
  return k;
}

std::string SigV4CanonicalUri(std::string_view path) {
  // Remove dot segments and empty segments (RFC 3986 §5.2.4), keeping a leading and a trailing
  // slash, then encode each segment again.
  std::vector<std::string_view> segments;
  for (std::string_view seg : Split(path, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(seg);
  }
  std::string out;
  out.reserve(path.size() + 16);
  out += '/';
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    AppendEncoded(out, segments[i], false);
  }
  if (!segments.empty() && !path.empty() && path.back() == '/') out += '/';
  return out;
}

std::string SigV4CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (std::string_view param : Split(query, '&')) {
    if (param.empty()) continue;
    const size_t eq = param.find('=');
    std::string name;
    std::string value;
    AppendEncoded(name, PercentDecode(param.substr(0, eq)), false);
    if (eq != std::string_view::npos)
      AppendEncoded(value, PercentDecode(param.substr(eq + 1)), false);
    params.emplace_back(std::move(name), std::move(value));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string SigV4AmzDate(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

SigV4Signature SignV4(const SigV4Request& request, const AwsCredentials& credentials,
                      std::string_view service, std::string_view region,
                      std::chrono::system_clock::time_point now) {
  SigV4Signature sig;
  sig.amz_date = SigV4AmzDate(now);
  const std::string_view date = std::string_view(sig.amz_date).substr(0, 8);

  // Canonical headers: lower-case names, sorted; repeated names joined with ','.
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("host", CanonicalHeaderValue(request.host));
  headers.emplace_back(std::string(kAmzDateHeader), sig.amz_date);
  if (!credentials.session_token.empty()) {
    headers.emplace_back(std::string(kAmzSecurityTokenHeader),
                         CanonicalHeaderValue(credentials.session_token));
  }
  for (const auto& [name, value] : request.headers) {
    std::string lower = AsciiLower(name);
    auto it = std::find_if(headers.begin(), headers.end(),
                           [&](const auto& h) { return h.first == lower; });
    if (it != headers.end()) {
      it->second += ',';
      it->second += CanonicalHeaderValue(value);
    } else {
      headers.emplace_back(std::move(lower), CanonicalHeaderValue(value));
    }
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  const size_t q = request.target.find('?');
  const std::string_view path = request.target.substr(0, q);
  const std::string_view query =
      q == std::string_view::npos ? std::string_view() : request.target.substr(q + 1);

  std::string& cr = sig.canonical_request;
  cr.reserve(512);
  cr += request.method;
  cr += '\n';
  cr += SigV4CanonicalUri(path);
  cr += '\n';
  cr += SigV4CanonicalQuery(query);
  cr += '\n';
  for (const auto& [name, value] : headers) {
    cr += name;
    cr += ':';
    cr += value;
    cr += '\n';
    if (!sig.signed_headers.empty()) sig.signed_headers += ';';
    sig.signed_headers += name;
  }
  cr += '\n';
  cr += sig.signed_headers;
  cr += '\n';
  cr += Sha256Hex(request.body);

  std::string scope(date);
  scope += '/';
  scope += region;
  scope += '/';
  scope += service;
  scope += "/aws4_request";

  std::string& sts = sig.string_to_sign;
  sts += kSigV4Algorithm;
  sts += '\n';
  sts += sig.amz_date;
  sts += '\n';
  sts += scope;
  sts += '\n';
  sts += Sha256Hex(cr);

  const std::string key = SigV4SigningKey(credentials.secret_access_key, date, region, service);
  const std::string signature = Hex(Hmac(key, sts));

  sig.authorization.reserve(200);
  sig.authorization += kSigV4Algorithm;
  sig.authorization += " Credential=";
  sig.authorization += credentials.access_key_id;
  sig.authorization += '/';
  sig.authorization += scope;
  sig.authorization += ", SignedHeaders=";
  sig.authorization += sig.signed_headers;
  sig.authorization += ", Signature=";
  sig.authorization += signature;
  return sig;
}

std::string BedrockRegionFromHost(std::string_view host) {
  if (host.empty() || host.front() == '[') return {};  // IPv6 literal
  if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const std::string lower = AsciiLower(host);
  const std::vector<std::string_view> labels = Split(lower, '.');
  size_t i = 0;
  while (i < labels.size() && labels[i] != "bedrock-runtime" &&
         labels[i] != "bedrock-runtime-fips") {
    ++i;
  }
  if (i + 1 >= labels.size()) return {};
  const std::string_view region = labels[i + 1];
  if (!IsRegionName(region)) return {};
  std::vector<std::string_view> rest(labels.begin() + static_cast<long>(i) + 2, labels.end());
  using V = std::vector<std::string_view>;
  if (rest == V{"vpce", "amazonaws", "com"}) {
    // Interface VPC endpoint names carry one "vpce-<id>-<suffix>" label (regional or zonal) in
    // front of the service name.
    return i == 1 && labels[0].starts_with("vpce-") ? std::string(region) : std::string();
  }
  if (i != 0) return {};
  if (rest == V{"amazonaws", "com"} || rest == V{"amazonaws", "com", "cn"} ||
      rest == V{"api", "aws"}) {
    return std::string(region);
  }
  return {};
}

std::string SigningRegion(std::string_view host, std::string_view policy_region) {
  std::string region = BedrockRegionFromHost(host);
  if (region.empty()) region = policy_region;
  return region;
}

}  // namespace sluice::auth
