#pragma once

// Errors for a client request a translator cannot carry to the backend, naming the field by its
// JSON path ("messages[2].content[0].type"), and the path builders that name it.

#include <cstddef>
#include <string>
#include <string_view>

#include "sluice/core/result.h"

namespace sluice::translate::common {

// kUnprocessable (→ 422) naming the field the target cannot express, e.g.
// Unprocessable("messages[2].content[0].type", "document blocks have no OpenAI equivalent").
Error Unprocessable(std::string_view field, std::string_view why);
// kInvalidArgument (→ 400) for a client body of the wrong shape.
Error BadField(std::string_view field, std::string_view why);

// "field[index]" and "field.key" (just "key" when `path` is empty).
std::string At(std::string_view path, size_t index);
std::string Dot(std::string_view path, std::string_view key);

}  // namespace sluice::translate::common
