#include "sluice/translate/common/upstream_path.h"

#include <cstdint>

#include "sluice/schema/bedrock/runtime.h"

namespace sluice::translate::common {

void AppendPathSegment(std::string& path, std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  path.reserve(path.size() + segment.size() * 3);
  for (char c : segment) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      path += c;
    } else {
      path += '%';
      path += kHex[uint8_t(c) >> 4];
      path += kHex[uint8_t(c) & 15];
    }
  }
}

std::string BedrockModelPath(std::string_view model, std::string_view suffix) {
  std::string path(schema::bedrock::kModelPathPrefix);
  AppendPathSegment(path, model);
  path += suffix;
  return path;
}

}  // namespace sluice::translate::common
