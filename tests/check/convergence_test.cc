// Convergence names the diverging replicas and where they differ.
#include "check/convergence.h"

#include <gtest/gtest.h>

namespace collabsim::check {
namespace {

TEST(Convergence, IdenticalViewsPass) {
  EXPECT_FALSE(CheckConvergence({{"server", View{"abc", {}}}, {"user 1", View{"abc", {}}}}).has_value());
}

TEST(Convergence, DivergenceIsDescribed) {
  auto problem = CheckConvergence({{"server", View{"a1 b1 ", {}}}, {"user 1", View{"a1 b1 ", {}}},
                                   {"user 2", View{"a1 c1 ", {}}}});
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("server and user 2 differ at byte 3"), std::string::npos) << *problem;
}

}  // namespace
}  // namespace collabsim::check
