// results.csv: one row per run, flat columns, RFC 4180 quoting.
#pragma once

#include <string>

#include "results.pb.h"

namespace collabsim::reports {

std::string RunsToCsv(const results::ResultsFile& file);

}  // namespace collabsim::reports
