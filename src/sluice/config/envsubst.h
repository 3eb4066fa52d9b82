#pragma once

// ${VAR} substitution over a whole config text, before YAML parsing, as `aigw run` does for its
// config file (reference §8). Supported forms, after the shell's parameter expansion:
//   ${VAR}            value of VAR; empty (with a warning naming VAR) when unset
//   ${VAR:=default}   default when VAR is unset or empty ( ${VAR:-default} is the same )
//   ${VAR=default}    default only when VAR is unset      ( ${VAR-default} is the same )
//   $${               a literal "${" (escape)
// A bare $VAR is left alone: '$' is common in regexes and CEL, and aigw configs use braces.

#include <string>
#include <string_view>
#include <vector>

#include "sluice/config/load.h"

namespace sluice::config {

// Returns the substituted text. Appends to `warnings` one "source: ${NAME} is not set ..." line per
// distinct unset variable without a default, and one per unterminated "${".
std::string SubstituteEnv(std::string_view text, std::string_view source_name, const GetEnv& env,
                          std::vector<std::string>& warnings);

}  // namespace sluice::config
