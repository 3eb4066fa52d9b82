#include "sluice/mcp/session.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

#include "sluice/mcp/encoding.h"

namespace sluice::mcp {

namespace {

constexpr uint8_t kFormatVersion = 1;
constexpr size_t kNonceBytes = 12;  // NIST SP 800-38D §8.2: 96-bit IVs for GCM
constexpr size_t kTagBytes = 16;
constexpr int kPbkdf2Iterations = 100000;
// Fixed, public salt: the seed is the secret, and replicas must derive the same key.
constexpr std::string_view kSalt = "sluice/mcp-session/v1";
// Authenticated but not encrypted: binds the ciphertext to its purpose and format.
constexpr std::string_view kAad = "sluice mcp session v1";

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::optional<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return std::nullopt;
      const uint8_t b = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      v |= uint64_t(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return std::nullopt;
  }
  std::optional<std::string> String() {
    auto n = Varint();
    if (!n || *n > in_.size()) return std::nullopt;
    std::string s(in_.substr(0, *n));
    in_.remove_prefix(*n);
    return s;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

Error NotFound(std::string message) {
  return Error(ErrorKind::kNotFound, std::move(message), ErrorSource::kClient);
}

}  // namespace

const BackendSession* SessionState::Find(std::string_view name) const {
  for (const auto& b : backends) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::string SerializeSession(const SessionState& s) {
  std::string out;
  out.reserve(128 + s.client_capabilities.size() + s.client_info.size() + 64 * s.backends.size());
  out += static_cast<char>(kFormatVersion);
  PutVarint(out, static_cast<uint64_t>(s.issued_at));
  PutString(out, s.route);
  PutString(out, s.subject);
  PutString(out, s.protocol_version);
  PutString(out, s.client_capabilities);
  PutString(out, s.client_info);
  PutVarint(out, s.backends.size());
  for (const auto& b : s.backends) {
    PutString(out, b.name);
    PutString(out, b.session_id);
    PutVarint(out, b.capabilities);
    PutString(out, b.protocol_version);
  }
  return out;
}

std::optional<SessionState> ParseSession(std::string_view bytes) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != kFormatVersion) return std::nullopt;
  Reader r(bytes.substr(1));
  SessionState s;
  auto issued = r.Varint();
  auto route = r.String();
  auto subject = r.String();
  auto version = r.String();
  auto caps = r.String();
  auto info = r.String();
  auto count = r.Varint();
  if (!issued || !route || !subject || !version || !caps || !info || !count) return std::nullopt;
  if (*count > 1024) return std::nullopt;
  s.issued_at = static_cast<int64_t>(*issued);
  s.route = std::move(*route);
  s.subject = std::move(*subject);
  s.protocol_version = std::move(*version);
  s.client_capabilities = std::move(*caps);
  s.client_info = std::move(*info);
  for (uint64_t i = 0; i < *count; ++i) {
    BackendSession b;
    auto name = r.String();
    auto id = r.String();
    auto bits = r.Varint();
    auto pv = r.String();
    if (!name || !id || !bits || !pv || *bits > 0xffff) return std::nullopt;
    b.name = std::move(*name);
    b.session_id = std::move(*id);
    b.capabilities = static_cast<uint16_t>(*bits);
    b.protocol_version = std::move(*pv);
    s.backends.push_back(std::move(b));
  }
  if (!r.done()) return std::nullopt;
  return s;
}

SessionCodec::SessionCodec(std::string_view seed, int64_t max_age_seconds)
    : max_age_seconds_(max_age_seconds) {
  PKCS5_PBKDF2_HMAC(seed.data(), static_cast<int>(seed.size()),
                    reinterpret_cast<const unsigned char*>(kSalt.data()),
                    static_cast<int>(kSalt.size()), kPbkdf2Iterations, EVP_sha256(), sizeof key_,
                    key_);
}

std::string SessionCodec::Encrypt(const SessionState& state) const {
  const std::string plain = SerializeSession(state);
  std::string out(1 + kNonceBytes + plain.size() + kTagBytes, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  p[0] = kFormatVersion;
  unsigned char* nonce = p + 1;
  RAND_bytes(nonce, kNonceBytes);
  unsigned char* ct = nonce + kNonceBytes;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key_, nonce);
  EVP_EncryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(kAad.data()),
                    static_cast<int>(kAad.size()));
  EVP_EncryptUpdate(ctx, ct, &len, reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  int final_len = 0;
  EVP_EncryptFinal_ex(ctx, ct + len, &final_len);
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, ct + plain.size());
  EVP_CIPHER_CTX_free(ctx);
  return Base64UrlEncode(out);
}

Result<SessionState> SessionCodec::Decrypt(std::string_view token, int64_t now_unix) const {
  if (token.size() > 16384) return NotFound("session id too long");
  auto raw = Base64UrlDecode(token);
  if (!raw || raw->size() < 1 + kNonceBytes + kTagBytes) return NotFound("malformed session id");
  const auto* p = reinterpret_cast<const unsigned char*>(raw->data());
  if (p[0] != kFormatVersion) return NotFound("unknown session id format");
  const unsigned char* nonce = p + 1;
  const unsigned char* ct = nonce + kNonceBytes;
  const size_t ct_len = raw->size() - 1 - kNonceBytes - kTagBytes;
  std::string plain(ct_len, '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key_, nonce);
  EVP_DecryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(kAad.data()),
                    static_cast<int>(kAad.size()));
  EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plain.data()), &len, ct,
                    static_cast<int>(ct_len));
  unsigned char tag[kTagBytes];
  std::memcpy(tag, ct + ct_len, kTagBytes);
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag);
  int final_len = 0;
  const int ok =
      EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(plain.data()) + len, &final_len);
  EVP_CIPHER_CTX_free(ctx);
  if (ok != 1) return NotFound("session id failed authentication");
  auto state = ParseSession(plain);
  if (!state) return NotFound("malformed session contents");
  if (now_unix - state->issued_at > max_age_seconds_ || state->issued_at > now_unix + 300) {
    return NotFound("session expired");
  }
  return std::move(*state);
}

std::optional<std::string> ReinitializedSessions::Lookup(std::string_view backend,
                                                         std::string_view old_id) const {
  if (size_.load(std::memory_order_acquire) == 0) return std::nullopt;
  std::string key(backend);
  key += '\n';
  key += old_id;
  std::lock_guard lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

void ReinitializedSessions::Remember(std::string_view backend, std::string_view old_id,
                                     std::string new_id) {
  std::string key(backend);
  key += '\n';
  key += old_id;
  std::lock_guard lock(mu_);
  auto [it, inserted] = map_.insert_or_assign(key, std::move(new_id));
  if (inserted) order_.push_back(key);
  while (map_.size() > capacity_ && !order_.empty()) {
    map_.erase(order_.front());
    order_.erase(order_.begin());
  }
  size_.store(map_.size(), std::memory_order_release);
}

}  // namespace sluice::mcp
