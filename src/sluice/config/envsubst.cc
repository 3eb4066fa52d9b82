#include "sluice/config/envsubst.h"

#include <set>

namespace sluice::config {

namespace {

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string SubstituteEnv(std::string_view text, std::string_view source_name, const GetEnv& env,
                          std::vector<std::string>& warnings) {
  std::string out;
  out.reserve(text.size());
  std::set<std::string, std::less<>> warned;
  size_t i = 0;
  while (i < text.size()) {
    const size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, dollar - i));
    // "$${" is the escape for a literal "${".
    if (text.substr(dollar, 3) == "$${") {
      out.append("${");
      i = dollar + 3;
      continue;
    }
    if (text.substr(dollar, 2) != "${") {
      out.push_back('$');
      i = dollar + 1;
      continue;
    }
    const size_t name_begin = dollar + 2;
    size_t p = name_begin;
    while (p < text.size() && IsNameChar(text[p])) ++p;
    const std::string_view name = text.substr(name_begin, p - name_begin);
    const size_t close = text.find('}', p);
    if (name.empty() || close == std::string_view::npos ||
        (text[p] != '}' && text[p] != ':' && text[p] != '=' && text[p] != '-')) {
      // Not a substitution we understand: keep it verbatim rather than guess.
      if (close == std::string_view::npos) {
        warnings.push_back(std::string(source_name) + ": unterminated \"${\" left as is");
      }
      out.append("${");
      i = name_begin;
      continue;
    }
    const std::optional<std::string> value = env(name);
    std::string_view op = text.substr(p, close - p);  // "", ":=x", ":-x", "=x", "-x"
    std::optional<std::string_view> fallback;
    bool empty_counts_as_unset = false;
    if (op.starts_with(":=") || op.starts_with(":-")) {
      fallback = op.substr(2);
      empty_counts_as_unset = true;
    } else if (op.starts_with("=") || op.starts_with("-")) {
      fallback = op.substr(1);
    } else if (!op.empty()) {
      out.append("${");
      i = name_begin;
      continue;
    }
    const bool unset = !value.has_value() || (empty_counts_as_unset && value->empty());
    if (!unset) {
      out.append(*value);
    } else if (fallback.has_value()) {
      out.append(*fallback);
    } else if (warned.insert(std::string(name)).second) {
      warnings.push_back(std::string(source_name) + ": ${" + std::string(name) +
                         "} is not set; substituted an empty string");
    }
    i = close + 1;
  }
  return out;
}

}  // namespace sluice::config
