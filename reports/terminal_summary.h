// The comparison tables as the terminal shows them (aligned plain text).
#pragma once

#include <string>

#include "reports/aggregate.h"

namespace collabsim::reports {

std::string TerminalSummary(const Aggregate& aggregate);

}  // namespace collabsim::reports
