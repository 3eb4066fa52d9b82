// Micro-benchmarks of the per-session and per-request MCP costs that Sluice adds: opening and
// sealing a session id, deriving the key (once per process), and verifying a bearer JWT.
//   cmake --build build/release --target sluice_mcp_bench && build/release/sluice_mcp_bench

#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "sluice/mcp/jwt.h"
#include "sluice/mcp/session.h"

namespace sluice::mcp {
namespace {

SessionState TwoBackends() {
  SessionState s;
  s.route = "default/mcp";
  s.issued_at = 1'900'000'000;
  s.protocol_version = "2025-11-25";
  s.client_capabilities = R"({"sampling":{},"elicitation":{},"roots":{"listChanged":true}})";
  s.client_info = R"({"name":"claude-code","version":"2.1.0"})";
  s.backends.push_back({"everything", "4b0e8d6c-2a47-4f7e-9d55-0e6f2f8f3b1a", 0x1ff, "2025-11-25"});
  s.backends.push_back({"github", "a9f1c3e2-77b0-4e1d-8c3f-51d0f2c6e9b4", 0x1f, "2025-06-18"});
  return s;
}

void BM_SessionEncrypt(benchmark::State& state) {
  const SessionCodec codec("bench-seed");
  const SessionState s = TwoBackends();
  for (auto _ : state) benchmark::DoNotOptimize(codec.Encrypt(s));
}
BENCHMARK(BM_SessionEncrypt);

void BM_SessionDecrypt(benchmark::State& state) {
  const SessionCodec codec("bench-seed");
  const std::string token = codec.Encrypt(TwoBackends());
  for (auto _ : state) benchmark::DoNotOptimize(codec.Decrypt(token, 1'900'000'100));
}
BENCHMARK(BM_SessionDecrypt);

// Once per process at start-up (Envoy AI Gateway pays this per session).
void BM_KeyDerivation(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(SessionCodec("bench-seed"));
}
BENCHMARK(BM_KeyDerivation)->Unit(benchmark::kMillisecond);

void BM_VerifyJwt(benchmark::State& state, const char* case_name) {
  std::ifstream in(std::string(SLUICE_TESTDATA_DIR) + "/jwt_vectors.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const boost::json::value v = boost::json::parse(ss.str());
  auto keys = JwkSet::Parse(boost::json::serialize(v.at("jwks")));
  config::McpOAuth oauth;
  oauth.issuer = std::string(v.at("issuer").as_string());
  oauth.audiences = {std::string(v.at("audience").as_string())};
  std::string token;
  for (const auto& c : v.at("cases").as_array()) {
    if (c.at("name").as_string() == case_name) token = std::string(c.at("token").as_string());
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(VerifyJwt(token, **keys, oauth, v.at("now").as_int64()));
  }
}
BENCHMARK_CAPTURE(BM_VerifyJwt, rs256, "good RS256");
BENCHMARK_CAPTURE(BM_VerifyJwt, es256, "good ES256");
BENCHMARK_CAPTURE(BM_VerifyJwt, eddsa, "good EdDSA");

}  // namespace
}  // namespace sluice::mcp

BENCHMARK_MAIN();
