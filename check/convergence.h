// Convergence: after faults heal and the network is quiet, every replica's
// view is identical: text and canvas. On divergence the message names the
// replicas and shows the first differing region of their texts, or the
// first canvas property they disagree on.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engines/common/replica.h"

namespace collabsim::check {

struct NamedView {
  std::string replica;  // e.g. "server", "user 3"
  View view;
};

// nullopt when all texts are equal; otherwise a description of the first
// replica that differs from the first one.
std::optional<std::string> CheckConvergence(const std::vector<NamedView>& views);

}  // namespace collabsim::check
