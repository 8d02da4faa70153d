// The human summary of one run, as `collabsim run` prints it.
#pragma once

#include <string>

#include "results.pb.h"

namespace collabsim::reports {

std::string FormatRunSummary(const results::RunResult& run);

}  // namespace collabsim::reports
