#pragma once

// AWS wiring for the command line: the credential manager `sluice run` keeps on its main thread,
// and the hidden `sluice sign-aws` command the tests use to compare Sluice's SigV4 signer with
// @smithy/signature-v4.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/auth/aws_credentials.h"
#include "sluice/config/load.h"

namespace sluice::cli {

// A manager that logs through spdlog. Without an io_context (validate), web identity sources are
// checked but not fetched.
std::unique_ptr<auth::AwsCredentialManager> MakeAwsCredentialManager(
    const config::GetEnv& env, boost::asio::io_context* context);

// Runs `context` until every web identity source answered once, or `timeout` passed, so the
// first requests after "ready" find credentials. Leaves `context` ready to run again.
void AwaitFirstAwsCredentials(boost::asio::io_context& context,
                              const auth::AwsCredentialManager& manager,
                              std::chrono::milliseconds timeout);

struct SignAwsOptions {
  std::string method = "POST";
  std::string host;
  std::string path = "/";
  std::string body;
  std::string body_file;
  std::string region = "us-east-1";  // the policy region: used when the host names none
  std::string date;                  // YYYYMMDD'T'HHMMSS'Z'; now when empty
};

// `sluice sign-aws`: signs one request the way an AWSCredentials backend is signed, with the
// credentials of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, and prints the
// headers, the signing region, the canonical request and the string to sign as one JSON object.
int SignAws(const SignAwsOptions& options, const config::GetEnv& env);

}  // namespace sluice::cli
