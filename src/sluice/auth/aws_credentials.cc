#include "sluice/auth/aws_credentials.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "sluice/core/strings.h"
#include "sluice/http/client.h"

namespace sluice::auth {

namespace {

using namespace boost::asio::experimental::awaitable_operators;
namespace asio = boost::asio;
using http::kNoThrow;
using Clock = std::chrono::system_clock;

constexpr std::string_view kStsVersion = "2011-06-15";
constexpr size_t kMaxStsResponse = 1 << 20;

std::optional<std::string> NonEmpty(const config::GetEnv& env, std::string_view name) {
  auto v = env(name);
  if (!v.has_value() || TrimWhitespace(*v).empty()) return std::nullopt;
  return std::string(TrimWhitespace(*v));
}

void AppendFormEncoded(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

std::string XmlUnescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool done = false;
    for (const auto& [entity, c] : kEntities) {
      if (s.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size() - 1;
        done = true;
        break;
      }
    }
    if (!done && s.substr(i, 2) == "&#") {
      const size_t semi = s.find(';', i);
      if (semi != std::string_view::npos) {
        const std::string_view num = s.substr(i + 2, semi - i - 2);
        unsigned long code = 0;
        try {
          code = num.starts_with("x") ? std::stoul(std::string(num.substr(1)), nullptr, 16)
                                      : std::stoul(std::string(num));
        } catch (...) {
          code = 0;
        }
        if (code > 0 && code < 0x80) {
          out += static_cast<char>(code);
          i = semi;
          done = true;
        }
      }
    }
    if (!done) out += s[i];
  }
  return out;
}

// The text of the first <tag>...</tag> inside `xml` (no attributes expected on these elements).
std::optional<std::string_view> Element(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const size_t start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  const size_t body = start + open.size();
  const size_t end = xml.find(close, body);
  if (end == std::string_view::npos) return std::nullopt;
  return xml.substr(body, end - body);
}

}  // namespace

// ---- Shared credentials file ------------------------------------------------------------------

Result<AwsCredentials> ParseSharedCredentials(std::string_view ini, std::string_view profile) {
  const std::string wanted(TrimWhitespace(profile));
  bool in_section = false;
  bool found = false;
  std::map<std::string, std::string> keys;
  for (std::string_view line : Split(ini, '\n')) {
    line = TrimWhitespace(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      const size_t close = line.find(']');
      const std::string_view name = TrimWhitespace(
          line.substr(1, close == std::string_view::npos ? line.size() - 1 : close - 1));
      in_section = name == wanted;
      if (in_section) {
        // A repeated section: the later keys win, as botocore's INI reader merges them.
        found = true;
      }
      continue;
    }
    if (!in_section) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = AsciiLower(TrimWhitespace(line.substr(0, eq)));
    keys[std::move(key)] = std::string(TrimWhitespace(line.substr(eq + 1)));
  }
  if (!found) {
    return Error(ErrorKind::kInvalidArgument, "profile \"" + wanted + "\" not found");
  }
  AwsCredentials creds;
  auto get = [&](const char* name) -> std::string {
    auto it = keys.find(name);
    return it == keys.end() ? std::string() : it->second;
  };
  creds.access_key_id = get("aws_access_key_id");
  creds.secret_access_key = get("aws_secret_access_key");
  creds.session_token = get("aws_session_token");
  if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
    return Error(ErrorKind::kInvalidArgument,
                 "profile \"" + wanted + "\" has no " +
                     (creds.access_key_id.empty() ? "aws_access_key_id" : "aws_secret_access_key"));
  }
  return creds;
}

// ---- STS ----------------------------------------------------------------------------------------

std::string AssumeRoleWithWebIdentityBody(std::string_view role_arn, std::string_view session_name,
                                          std::string_view web_identity_token) {
  std::string body = "Action=AssumeRoleWithWebIdentity&RoleArn=";
  AppendFormEncoded(body, role_arn);
  body += "&RoleSessionName=";
  AppendFormEncoded(body, session_name);
  body += "&Version=";
  body += kStsVersion;
  body += "&WebIdentityToken=";
  AppendFormEncoded(body, web_identity_token);
  return body;
}

Result<AwsCredentials> ParseAssumeRoleWithWebIdentityResponse(std::string_view xml) {
  if (auto error = Element(xml, "Error")) {
    const std::string code = XmlUnescape(Element(*error, "Code").value_or("unknown error"));
    const std::string message = XmlUnescape(Element(*error, "Message").value_or(""));
    return Error(ErrorKind::kUnavailable,
                 "STS answered " + code + (message.empty() ? "" : ": " + message),
                 ErrorSource::kUpstream, true);
  }
  const auto result = Element(xml, "AssumeRoleWithWebIdentityResult");
  const auto credentials = result ? Element(*result, "Credentials") : std::nullopt;
  if (!credentials) {
    return Error(ErrorKind::kProtocol,
                 "STS answer has no AssumeRoleWithWebIdentityResult/Credentials",
                 ErrorSource::kUpstream, true);
  }
  AwsCredentials creds;
  creds.access_key_id =
      XmlUnescape(TrimWhitespace(Element(*credentials, "AccessKeyId").value_or("")));
  creds.secret_access_key =
      XmlUnescape(TrimWhitespace(Element(*credentials, "SecretAccessKey").value_or("")));
  creds.session_token =
      XmlUnescape(TrimWhitespace(Element(*credentials, "SessionToken").value_or("")));
  const std::string_view expiration =
      TrimWhitespace(Element(*credentials, "Expiration").value_or(""));
  if (creds.access_key_id.empty() || creds.secret_access_key.empty() ||
      creds.session_token.empty()) {
    return Error(ErrorKind::kProtocol,
                 "STS answer lacks AccessKeyId, SecretAccessKey or SessionToken",
                 ErrorSource::kUpstream, true);
  }
  auto when = ParseIso8601(expiration);
  if (!when) {
    return Error(ErrorKind::kProtocol,
                 "STS answer has an unreadable Expiration \"" + std::string(expiration) + "\"",
                 ErrorSource::kUpstream, true);
  }
  creds.expiration = *when;
  return creds;
}

std::optional<Clock::time_point> ParseIso8601(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (text.size() < 20) return std::nullopt;
  std::tm tm{};
  auto num = [&](size_t pos, size_t len, int& out) {
    out = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int year, month, day, hour, minute, second;
  if (!num(0, 4, year) || text[4] != '-' || !num(5, 2, month) || text[7] != '-' ||
      !num(8, 2, day) || (text[10] != 'T' && text[10] != 't') || !num(11, 2, hour) ||
      text[13] != ':' || !num(14, 2, minute) || text[16] != ':' || !num(17, 2, second)) {
    return std::nullopt;
  }
  size_t i = 19;
  int millis = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (i + 1 != text.size() || (text[i] != 'Z' && text[i] != 'z')) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = timegm(&tm);
  return Clock::from_time_t(t) + std::chrono::milliseconds(millis);
}

std::string FormatIso8601(Clock::time_point t) {
  const std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Clock::time_point RefreshTime(Clock::time_point obtained, Clock::time_point expiration) {
  const auto lifetime = expiration - obtained;
  const auto margin = std::min<Clock::duration>(std::chrono::minutes(5), lifetime / 2);
  return std::max(expiration - margin, obtained + std::chrono::seconds(1));
}

std::string StsEndpoint(const config::GetEnv& env, std::string_view region) {
  const bool ignore =
      EqualsIgnoreCase(NonEmpty(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or(""), "true");
  if (!ignore) {
    if (auto url = NonEmpty(env, "AWS_ENDPOINT_URL_STS")) return *url;
    if (auto url = NonEmpty(env, "AWS_ENDPOINT_URL")) return *url;
  }
  const std::string suffix = region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
  return "https://sts." + std::string(region) + suffix;
}

std::string WebIdentitySource::Key() const {
  std::string key = token_file + "|" + role_arn + "|" + session_name + "|" + sts_endpoint + "|" +
                    ca_bundle + "|" + oidc_issuer + "|" + oidc_token_endpoint + "|" +
                    oidc_client_id + "|" + oidc_client_secret;
  for (const auto& scope : oidc_scopes) key += "|" + scope;
  return key;
}

std::string ClientCredentialsBody(const std::vector<std::string>& scopes) {
  std::string body = "grant_type=client_credentials";
  if (!scopes.empty()) {
    std::string joined;
    for (const auto& scope : scopes) joined += (joined.empty() ? "" : " ") + scope;
    body += "&scope=";
    AppendFormEncoded(body, joined);
  }
  return body;
}

std::string BasicAuthorization(std::string_view client_id, std::string_view client_secret) {
  // RFC 6749 §2.3.1: the id and secret are form-encoded (space as '+', as Go's url.QueryEscape)
  // before the Basic scheme.
  auto form = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == ' ') {
        out += '+';
      } else {
        AppendFormEncoded(out, std::string_view(&c, 1));
      }
    }
    return out;
  };
  return "Basic " + Base64Encode(form(client_id) + ":" + form(client_secret));
}

namespace {

Result<boost::json::object> JsonObject(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) {
    return Error(ErrorKind::kProtocol, std::string(what) + " is not a JSON object",
                 ErrorSource::kUpstream, true);
  }
  return std::move(value.as_object());
}

std::string StringField(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

}  // namespace

Result<std::string> ParseDiscoveryTokenEndpoint(std::string_view json) {
  auto o = JsonObject(json, "the OpenID provider configuration");
  if (!o.ok()) return o.error();
  std::string endpoint = StringField(*o, "token_endpoint");
  if (endpoint.empty()) {
    return Error(ErrorKind::kProtocol, "the OpenID provider configuration has no token_endpoint",
                 ErrorSource::kUpstream, true);
  }
  return endpoint;
}

Result<std::string> ParseAccessToken(std::string_view json) {
  auto o = JsonObject(json, "the token response");
  if (!o.ok()) return o.error();
  std::string token = StringField(*o, "access_token");
  if (token.empty()) {
    std::string why = StringField(*o, "error");
    const std::string description = StringField(*o, "error_description");
    if (why.empty()) why = "no access_token";
    if (!description.empty()) why += ": " + description;
    return Error(ErrorKind::kUnavailable, "token endpoint answered " + why, ErrorSource::kUpstream,
                 true);
  }
  return token;
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

DefaultChainResult ResolveDefaultChain(const config::GetEnv& env, std::string_view region,
                                       const ReadFile& read_file) {
  DefaultChainResult out;
  std::vector<std::string> tried;
  // 1. Environment.
  const auto key_id = NonEmpty(env, "AWS_ACCESS_KEY_ID");
  const auto secret = NonEmpty(env, "AWS_SECRET_ACCESS_KEY");
  if (key_id && secret) {
    AwsCredentials c;
    c.access_key_id = *key_id;
    c.secret_access_key = *secret;
    c.session_token = NonEmpty(env, "AWS_SESSION_TOKEN").value_or("");
    c.source = "environment (AWS_ACCESS_KEY_ID)";
    out.credentials = std::move(c);
    return out;
  }
  tried.push_back(key_id ? "AWS_SECRET_ACCESS_KEY is not set" : "AWS_ACCESS_KEY_ID is not set");
  // 2. Shared credentials file.
  std::string path;
  if (auto p = NonEmpty(env, "AWS_SHARED_CREDENTIALS_FILE")) {
    path = *p;
  } else if (auto home = NonEmpty(env, "HOME")) {
    path = *home + "/.aws/credentials";
  }
  const std::string profile = NonEmpty(env, "AWS_PROFILE").value_or("default");
  if (!path.empty()) {
    if (auto text = read_file(path)) {
      auto parsed = ParseSharedCredentials(*text, profile);
      if (parsed.ok()) {
        parsed->source = "shared credentials file " + path + " (profile " + profile + ")";
        out.credentials = std::move(parsed).value();
        return out;
      }
      tried.push_back(path + ": " + parsed.error().message());
    } else {
      tried.push_back(path + " cannot be read");
    }
  } else {
    tried.push_back("no shared credentials file (neither AWS_SHARED_CREDENTIALS_FILE nor HOME)");
  }
  // 3. Web identity.
  const auto token_file = NonEmpty(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
  const auto role_arn = NonEmpty(env, "AWS_ROLE_ARN");
  if (token_file && role_arn) {
    WebIdentitySource w;
    w.token_file = *token_file;
    w.role_arn = *role_arn;
    w.session_name = NonEmpty(env, "AWS_ROLE_SESSION_NAME").value_or("");
    w.sts_endpoint = StsEndpoint(env, region);
    w.ca_bundle = NonEmpty(env, "AWS_CA_BUNDLE").value_or("");
    out.web_identity = std::move(w);
    return out;
  }
  tried.push_back(token_file ? "AWS_ROLE_ARN is not set"
                             : "AWS_WEB_IDENTITY_TOKEN_FILE is not set");
  out.error = "no AWS credentials found by the default chain (";
  for (size_t i = 0; i < tried.size(); ++i) out.error += (i ? "; " : "") + tried[i];
  out.error += ")";
  return out;
}

// ---- Web identity refresher
// ----------------------------------------------------------------------

// Fetches credentials for one web identity source, stores them in every cell attached to it, and
// fetches again before they expire (on failure: again after 1, 2, 4 ... 30 s). Runs on the main
// io_context; a shared_ptr keeps it alive while its task runs.
class WebIdentityRefresher : public std::enable_shared_from_this<WebIdentityRefresher> {
 public:
  WebIdentityRefresher(WebIdentitySource source, http::Executor executor,
                       const AwsCredentialManager::Options& options)
      : source_(std::move(source)),
        executor_(executor),
        timer_(executor),
        read_file_(options.read_file),
        log_(options.log),
        timeout_(options.sts_timeout) {}

  void Start() { asio::co_spawn(executor_, Run(shared_from_this()), asio::detached); }

  void Stop() {
    stopped_ = true;
    timer_.cancel();
  }

  void AddCell(const std::shared_ptr<config::AwsCredentialCell>& cell) {
    if (current_) {
      cell->Store(current_);
    }
    if (!last_error_.empty()) {
      cell->StoreError(last_error_);
    } else if (!current_) {
      cell->StoreError("waiting for the first STS AssumeRoleWithWebIdentity answer from " +
                       source_.sts_endpoint);
    }
    cells_.push_back(cell);
  }

  bool first_attempt_done() const { return first_attempt_done_; }

  std::string Describe() const {
    if (source_.oidc_issuer.empty()) {
      return "web identity (role " + source_.role_arn + ", STS " + source_.sts_endpoint + ")";
    }
    return "oidcExchangeToken (issuer " + source_.oidc_issuer + ", role " + source_.role_arn +
           ", STS " + source_.sts_endpoint + ")";
  }

 private:
  static http::Task<void> Run(std::shared_ptr<WebIdentityRefresher> self) {
    int failures = 0;
    while (!self->stopped_) {
      auto fetched = co_await self->Fetch();
      if (self->stopped_) co_return;
      const auto now = Clock::now();
      Clock::time_point next;
      if (fetched.ok()) {
        failures = 0;
        auto creds = std::make_shared<AwsCredentials>(std::move(fetched).value());
        creds->source = self->Describe();
        next = RefreshTime(now, creds->expiration);
        self->current_ = creds;
        self->last_error_.clear();
        self->Publish();
        self->Log(AwsCredentialManager::LogLevel::kInfo,
                  "AWS credentials from " + self->Describe() + " obtained; they expire at " +
                      FormatIso8601(creds->expiration) + ", next refresh at " +
                      FormatIso8601(next));
      } else {
        ++failures;
        const auto delay = std::chrono::seconds(std::min(30, 1 << std::min(failures - 1, 5)));
        next = now + delay;
        self->last_error_ = fetched.error().message();
        self->Publish();
        self->Log(AwsCredentialManager::LogLevel::kWarn,
                  self->last_error_ + "; retrying in " + std::to_string(delay.count()) + "s");
      }
      self->first_attempt_done_ = true;
      self->timer_.expires_after(
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(next - Clock::now()));
      auto [ec] = co_await self->timer_.async_wait(kNoThrow);
      (void)ec;
    }
  }

  void Publish() {
    std::erase_if(cells_, [](const auto& weak) { return weak.expired(); });
    for (const auto& weak : cells_) {
      auto cell = weak.lock();
      if (!cell) continue;
      if (current_) cell->Store(current_);
      if (last_error_.empty()) {
        cell->ClearError();
      } else {
        cell->StoreError(last_error_);
      }
    }
  }

  void Log(AwsCredentialManager::LogLevel level, const std::string& line) {
    if (log_) log_(level, line);
  }

  struct HttpReply {
    int status = 0;
    std::string body;
  };

  // One HTTP/1.1 exchange with `url` (http or https), the whole answer read within the timeout.
  http::Task<Result<HttpReply>> Exchange(const std::string& url_text, std::string_view method,
                                         std::string extra_headers, std::string body) {
    auto url = boost::urls::parse_uri(url_text);
    if (!url) co_return Error(ErrorKind::kInvalidArgument, "invalid URL \"" + url_text + "\"");
    const bool tls = url->scheme() == "https";
    if (!tls && url->scheme() != "http") {
      co_return Error(ErrorKind::kInvalidArgument, "URL \"" + url_text + "\" is not http(s)");
    }
    http::UpstreamTarget target;
    target.host = url->host_address();
    target.tls = tls;
    target.port = url->has_port() ? url->port_number() : (tls ? 443 : 80);
    if (target.host.empty()) {
      co_return Error(ErrorKind::kInvalidArgument, "URL \"" + url_text + "\" has no host");
    }
    target.key = "aws-credentials|" + target.host + ":" + std::to_string(target.port);
    if (tls) {
      if (!ssl_ctx_) {
        std::string pem;
        if (!source_.ca_bundle.empty()) {
          auto bundle = read_file_(source_.ca_bundle);
          if (!bundle) {
            co_return Error(ErrorKind::kInvalidArgument,
                            "cannot read AWS_CA_BUNDLE " + source_.ca_bundle);
          }
          pem = std::move(*bundle);
        }
        auto ctx = http::MakeClientTlsContext(source_.ca_bundle.empty(), pem);
        if (!ctx.ok()) co_return ctx.error();
        ssl_ctx_ = std::move(ctx).value();
      }
      target.ssl_ctx = ssl_ctx_;
      target.sni = target.host;
    }
    std::string host_header(url->encoded_host_and_port());
    if (url->has_port() && url->port_number() == (tls ? 443 : 80)) {
      host_header = std::string(url->encoded_host());
    }
    std::string target_path(url->encoded_path());
    if (target_path.empty()) target_path = "/";
    if (url->has_query()) target_path += "?" + std::string(url->encoded_query());
    std::string head = std::string(method) + " " + target_path +
                       " HTTP/1.1\r\nhost: " + host_header + "\r\n" + extra_headers +
                       "connection: close\r\n";
    if (method != "GET") head += "content-length: " + std::to_string(body.size()) + "\r\n";
    head += "\r\n";

    // A pool for this exchange only: these calls happen about once an hour.
    http::UpstreamPool pool(executor_);
    auto conn = co_await pool.Acquire(target, timeout_);
    if (!conn.ok()) co_return conn.error();
    auto sent = co_await (*conn)->Send(head, body);
    if (!sent.ok()) co_return sent.error();
    http::Timer deadline(executor_, timeout_);
    auto raced = co_await ((*conn)->ReadHead() || deadline.async_wait(kNoThrow));
    if (raced.index() == 1) {
      (*conn)->Close();
      co_return Error(ErrorKind::kTimeout,
                      "no answer within " + std::to_string(timeout_.count()) + " ms");
    }
    auto response_head = std::get<0>(std::move(raced));
    if (!response_head.ok()) co_return response_head.error();
    HttpReply reply;
    reply.status = (*response_head)->status;
    while (true) {
      auto raced_body = co_await ((*conn)->ReadBody() || deadline.async_wait(kNoThrow));
      if (raced_body.index() == 1) {
        (*conn)->Close();
        co_return Error(ErrorKind::kTimeout,
                        "answer not complete within " + std::to_string(timeout_.count()) + " ms");
      }
      auto piece = std::get<0>(std::move(raced_body));
      if (!piece.ok()) co_return piece.error();
      if (!piece->has_value()) break;
      reply.body.append(**piece);
      if (reply.body.size() > kMaxStsResponse) {
        (*conn)->Close();
        co_return Error(ErrorKind::kTooLarge, "answer larger than 1 MiB");
      }
    }
    (*conn)->Close();
    co_return reply;
  }

  // The web identity token: the token file, or a client-credentials access token.
  http::Task<Result<std::string>> WebIdentityToken() {
    if (source_.oidc_issuer.empty()) {
      auto token = read_file_(source_.token_file);
      if (!token) {
        co_return Error(ErrorKind::kUnavailable,
                        "cannot read the web identity token file " + source_.token_file);
      }
      const std::string_view text = TrimWhitespace(*token);
      if (text.empty()) {
        co_return Error(ErrorKind::kUnavailable,
                        "the web identity token file " + source_.token_file + " is empty");
      }
      co_return std::string(text);
    }
    std::string token_endpoint = source_.oidc_token_endpoint;
    if (token_endpoint.empty()) {
      // OpenID Connect Discovery 1.0 §4: {issuer}/.well-known/openid-configuration.
      std::string issuer = source_.oidc_issuer;
      while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
      const std::string discovery = issuer + "/.well-known/openid-configuration";
      auto reply = co_await Exchange(discovery, "GET", "accept: application/json\r\n", "");
      if (!reply.ok()) {
        co_return Error(reply.error().kind(),
                        "OIDC discovery at " + discovery + " failed: " + reply.error().message());
      }
      if (reply->status != 200) {
        co_return Error(
            ErrorKind::kUnavailable,
            "OIDC discovery at " + discovery + " answered HTTP " + std::to_string(reply->status));
      }
      auto endpoint = ParseDiscoveryTokenEndpoint(reply->body);
      if (!endpoint.ok()) co_return endpoint.error();
      token_endpoint = std::move(endpoint).value();
    }
    auto reply = co_await Exchange(
        token_endpoint, "POST",
        "content-type: application/x-www-form-urlencoded\r\naccept: application/json\r\n"
        "authorization: " +
            BasicAuthorization(source_.oidc_client_id, source_.oidc_client_secret) + "\r\n",
        ClientCredentialsBody(source_.oidc_scopes));
    if (!reply.ok()) {
      co_return Error(reply.error().kind(), "OIDC token request to " + token_endpoint +
                                                " failed: " + reply.error().message());
    }
    auto token = ParseAccessToken(reply->body);
    if (!token.ok()) {
      co_return Error(token.error().kind(), "OIDC token request to " + token_endpoint + ": HTTP " +
                                                std::to_string(reply->status) + ", " +
                                                token.error().message());
    }
    co_return token;
  }

  http::Task<Result<AwsCredentials>> Fetch() {
    auto token = co_await WebIdentityToken();
    if (!token.ok()) co_return token.error();
    const std::string session_name =
        source_.session_name.empty()
            ? "sluice-" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             Clock::now().time_since_epoch())
                                             .count())
            : source_.session_name;
    const std::string failed =
        "STS AssumeRoleWithWebIdentity at " + source_.sts_endpoint + " failed: ";
    auto reply = co_await Exchange(
        source_.sts_endpoint, "POST",
        "content-type: application/x-www-form-urlencoded; charset=utf-8\r\naccept: text/xml\r\n",
        AssumeRoleWithWebIdentityBody(source_.role_arn, session_name, *token));
    if (!reply.ok()) co_return Error(reply.error().kind(), failed + reply.error().message());
    auto parsed = ParseAssumeRoleWithWebIdentityResponse(reply->body);
    if (!parsed.ok()) {
      co_return Error(parsed.error().kind(), failed + "HTTP " + std::to_string(reply->status) +
                                                 ", " + parsed.error().message());
    }
    if (reply->status != 200) {
      co_return Error(ErrorKind::kUnavailable, failed + "HTTP " + std::to_string(reply->status));
    }
    co_return parsed;
  }

  WebIdentitySource source_;
  http::Executor executor_;
  http::Timer timer_;
  ReadFile read_file_;
  std::function<void(AwsCredentialManager::LogLevel, const std::string&)> log_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<asio::ssl::context> ssl_ctx_;
  std::vector<std::weak_ptr<config::AwsCredentialCell>> cells_;
  std::shared_ptr<const AwsCredentials> current_;
  std::string last_error_;
  bool stopped_ = false;
  bool first_attempt_done_ = false;
};

// ---- Manager
// --------------------------------------------------------------------------------------

AwsCredentialManager::AwsCredentialManager(Options options) : options_(std::move(options)) {}

AwsCredentialManager::~AwsCredentialManager() {
  for (auto& [key, refresher] : refreshers_) refresher->Stop();
}

bool AwsCredentialManager::initial_fetch_pending() const {
  for (const auto& [key, refresher] : refreshers_) {
    if (!refresher->first_attempt_done()) return true;
  }
  return false;
}

AwsCredentialManager::AttachResult AwsCredentialManager::Attach(
    const config::RuntimeConfig& config) {
  AttachResult result;
  std::set<const config::AwsCredentialCell*> seen;
  std::map<std::string, DefaultChainResult> chains;  // by region: resolved once per Attach
  // Temporary credentials: one refresher per distinct source, shared across policies and reloads.
  auto attach_refreshed = [&](const WebIdentitySource& source,
                              const std::shared_ptr<config::AwsCredentialCell>& cell) {
    if (!options_.executor) {
      cell->StoreError("temporary credentials are only fetched by `sluice run`");
      return;
    }
    auto& refresher = refreshers_[source.Key()];
    if (!refresher) {
      refresher = std::make_shared<WebIdentityRefresher>(source, *options_.executor, options_);
      refresher->AddCell(cell);
      refresher->Start();
    } else {
      refresher->AddCell(cell);
    }
  };
  auto visit = [&](const config::Backend& backend) {
    if (backend.auth.type != config::UpstreamAuth::Type::kAWSCredentials) return;
    const config::AwsAuth& aws = backend.auth.aws;
    if (!aws.credentials || !seen.insert(aws.credentials.get()).second) return;
    const std::string& policy = backend.auth.policy_name;
    switch (aws.source) {
      case config::AwsAuth::Source::kCredentialsFile: {
        auto parsed = ParseSharedCredentials(aws.credentials_file, aws.profile);
        if (!parsed.ok()) {
          result.errors.push_back(
              "BackendSecurityPolicy " + policy + ": spec.awsCredentials.credentialsFile: Secret " +
              aws.credentials_secret + " key \"credentials\": " + parsed.error().message());
          return;
        }
        parsed->source =
            "credentialsFile (Secret " + aws.credentials_secret + ", profile " + aws.profile + ")";
        aws.credentials->Store(std::make_shared<const AwsCredentials>(std::move(parsed).value()));
        aws.credentials->ClearError();
        return;
      }
      case config::AwsAuth::Source::kOidcExchange: {
        WebIdentitySource source;
        source.role_arn = aws.oidc_role_arn;
        // RoleSessionName allows [\w+=,.@-]{2,64}: the policy's name without its namespace.
        std::string name = policy.substr(policy.find('/') + 1);
        for (char& c : name) {
          const bool allowed = std::isalnum(static_cast<unsigned char>(c)) ||
                               std::string_view("_+=,.@-").find(c) != std::string_view::npos;
          if (!allowed) c = '-';
        }
        source.session_name = ("sluice-" + name).substr(0, 64);
        source.sts_endpoint = StsEndpoint(options_.env, aws.region);
        source.ca_bundle = NonEmpty(options_.env, "AWS_CA_BUNDLE").value_or("");
        source.oidc_issuer = aws.oidc_issuer;
        source.oidc_token_endpoint = aws.oidc_token_endpoint;
        source.oidc_client_id = aws.oidc_client_id;
        source.oidc_client_secret = aws.oidc_client_secret;
        source.oidc_scopes = aws.oidc_scopes;
        attach_refreshed(source, aws.credentials);
        return;
      }
      case config::AwsAuth::Source::kDefaultChain:
        break;
    }
    auto it = chains.find(aws.region);
    if (it == chains.end()) {
      it = chains
               .emplace(aws.region,
                        ResolveDefaultChain(options_.env, aws.region, options_.read_file))
               .first;
    }
    const DefaultChainResult& chain = it->second;
    if (chain.credentials) {
      aws.credentials->Store(std::make_shared<const AwsCredentials>(*chain.credentials));
      aws.credentials->ClearError();
      return;
    }
    if (chain.web_identity) {
      attach_refreshed(*chain.web_identity, aws.credentials);
      return;
    }
    aws.credentials->StoreError(chain.error);
    result.warnings.push_back("BackendSecurityPolicy " + policy + ": " + chain.error +
                              "; requests to the backends it targets fail until credentials are "
                              "configured and the configuration is reloaded");
  };
  for (const config::Route& route : config.routes) {
    for (const config::Rule& rule : route.rules) {
      for (const config::RuleBackendRef& ref : rule.backend_refs) {
        if (ref.backend) visit(*ref.backend);
      }
    }
  }
  return result;
}

}  // namespace sluice::auth
