#include "sluice/translate/common/field_errors.h"

namespace sluice::translate::common {

Error Unprocessable(std::string_view field, std::string_view why) {
  return Error(ErrorKind::kUnprocessable, std::string(field) + ": " + std::string(why),
               ErrorSource::kClient);
}

Error BadField(std::string_view field, std::string_view why) {
  return Error(ErrorKind::kInvalidArgument, std::string(field) + ": " + std::string(why),
               ErrorSource::kClient);
}

std::string At(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

std::string Dot(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

}  // namespace sluice::translate::common
