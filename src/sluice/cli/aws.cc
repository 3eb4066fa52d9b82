#include "sluice/cli/aws.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>

#include "sluice/auth/aws_sigv4.h"
#include "sluice/auth/credential.h"
#include "sluice/core/strings.h"

namespace sluice::cli {

std::unique_ptr<auth::AwsCredentialManager> MakeAwsCredentialManager(
    const config::GetEnv& env, boost::asio::io_context* context) {
  auth::AwsCredentialManager::Options options;
  options.env = env;
  if (context != nullptr) options.executor = context->get_executor();
  options.log = [](auth::AwsCredentialManager::LogLevel level, const std::string& line) {
    if (level == auth::AwsCredentialManager::LogLevel::kWarn) {
      spdlog::warn("{}", line);
    } else {
      spdlog::info("{}", line);
    }
  };
  return std::make_unique<auth::AwsCredentialManager>(std::move(options));
}

void AwaitFirstAwsCredentials(boost::asio::io_context& context,
                              const auth::AwsCredentialManager& manager,
                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (manager.initial_fetch_pending() && std::chrono::steady_clock::now() < deadline) {
    context.run_one_until(deadline);
    if (context.stopped()) context.restart();
  }
  if (manager.initial_fetch_pending()) {
    spdlog::warn(
        "AWS web identity credentials not obtained within {} ms; still trying in the "
        "background (requests to those backends fail until they arrive)",
        timeout.count());
  }
}

namespace {

std::optional<std::chrono::system_clock::time_point> ParseAmzDate(std::string_view s) {
  // YYYYMMDD'T'HHMMSS'Z'
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  const std::string iso = std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" +
                          std::string(s.substr(6, 2)) + "T" + std::string(s.substr(9, 2)) + ":" +
                          std::string(s.substr(11, 2)) + ":" + std::string(s.substr(13, 2)) + "Z";
  return auth::ParseIso8601(iso);
}

}  // namespace

int SignAws(const SignAwsOptions& options, const config::GetEnv& env) {
  auto creds = std::make_shared<auth::AwsCredentials>();
  creds->access_key_id = env("AWS_ACCESS_KEY_ID").value_or("");
  creds->secret_access_key = env("AWS_SECRET_ACCESS_KEY").value_or("");
  creds->session_token = env("AWS_SESSION_TOKEN").value_or("");
  creds->source = "environment";
  if (creds->access_key_id.empty() || creds->secret_access_key.empty()) {
    std::fprintf(stderr, "sluice: sign-aws needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n");
    return 2;
  }
  std::string body = options.body;
  if (!options.body_file.empty()) {
    auto text = auth::ReadWholeFile(options.body_file);
    if (!text) {
      std::fprintf(stderr, "sluice: cannot read %s\n", options.body_file.c_str());
      return 2;
    }
    body = std::move(*text);
  }
  auto now = std::chrono::system_clock::now();
  if (!options.date.empty()) {
    auto parsed = ParseAmzDate(options.date);
    if (!parsed) {
      std::fprintf(stderr, "sluice: --date must look like 20150830T123600Z\n");
      return 2;
    }
    now = *parsed;
  }

  // The backend an AWSCredentials policy compiles to, signed through the same call the pipeline
  // makes for every upstream attempt.
  config::Backend backend;
  backend.name = "sign-aws";
  backend.host_header = options.host;
  backend.auth.type = config::UpstreamAuth::Type::kAWSCredentials;
  backend.auth.policy_name = "sign-aws";
  backend.auth.aws.region = options.region;
  backend.auth.aws.credentials = std::make_shared<config::AwsCredentialCell>();
  backend.auth.aws.credentials->Store(creds);
  auth::HeaderList headers;
  auto signed_ok = auth::AppendAwsSignature(
      backend, {options.method, options.host, options.path, body}, now, headers);
  if (!signed_ok.ok()) {
    std::fprintf(stderr, "sluice: %s\n", signed_ok.error().message().c_str());
    return 1;
  }
  // The intermediate strings, for diagnosing a mismatch.
  auth::SigV4Request request;
  request.method = options.method;
  request.host = options.host;
  request.target = options.path;
  request.body = body;
  const std::string region = auth::SigningRegion(options.host, options.region);
  const auto sig = auth::SignV4(request, *creds, auth::kBedrockService, region, now);

  std::string out = "{\"headers\":{";
  for (size_t i = 0; i < headers.size(); ++i) {
    if (i > 0) out += ",";
    out += JsonQuote(headers[i].first) + ":" + JsonQuote(headers[i].second);
  }
  out += "},\"service\":" + JsonQuote(auth::kBedrockService);
  out += ",\"region\":" + JsonQuote(region);
  out += ",\"canonical_request\":" + JsonQuote(sig.canonical_request);
  out += ",\"string_to_sign\":" + JsonQuote(sig.string_to_sign) + "}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace sluice::cli
