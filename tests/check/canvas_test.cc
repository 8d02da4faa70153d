// Canvas checkers: a tree with one parent per object and no cycle; final
// values someone wrote; no write overwritten by the value its author saw.
#include "check/canvas.h"

#include <gtest/gtest.h>

#include "check/convergence.h"

namespace collabsim::check {
namespace {

using Props = std::map<PropertyKey, PropertyValue>;

TEST(CheckTree, AcceptsATreeAndNamesWhatIsWrong) {
  EXPECT_EQ(CheckTree(Props{{{"f", "parent"}, std::string("root")}, {{"s", "parent"}, std::string("f")}}),
            std::nullopt);
  EXPECT_EQ(CheckTree(Props{{{"s", "parent"}, std::string("gone")}}), "s hangs under gone, which is not in the tree");
  EXPECT_EQ(CheckTree(Props{{{"a", "parent"}, std::string("b")}, {{"b", "parent"}, std::string("a")}}),
            "a is in a cycle of parents");
  EXPECT_EQ(CheckTree(Props{{{"s", "fill"}, 1.0}}), "s.fill belongs to no object in the tree");
}

TEST(CanvasRecorder, FinalValuesMustHaveBeenWritten) {
  CanvasRecorder recorder;
  recorder.Record({IntentId{1, 1}, 1.0, {"s", "fill"}, std::string("red a1"), PropertyValue{}});
  EXPECT_TRUE(recorder.Check(Props{{{"s", "fill"}, std::string("red a1")}}, 3).empty());
  const auto violations = recorder.Check(Props{{{"s", "fill"}, std::string("pink")}}, 3);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].first, "provenance");
  EXPECT_EQ(violations[0].second, "s.fill ends as \"pink\", which no client wrote");
}

TEST(CanvasRecorder, AWriteMustNotLoseToTheValueItsAuthorSaw) {
  CanvasRecorder recorder;
  recorder.Record({IntentId{1, 1}, 1.0, {"s", "fill"}, std::string("red a1"), PropertyValue{}});
  recorder.Record({IntentId{2, 1}, 2.5, {"s", "fill"}, std::string("blue b1"), std::string("red a1")});
  // Blue was written having seen red: red must not be the final value.
  EXPECT_TRUE(recorder.Check(Props{{{"s", "fill"}, std::string("blue b1")}}, 3).empty());
  const auto violations = recorder.Check(Props{{{"s", "fill"}, std::string("red a1")}}, 3);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].first, "causal_overwrite");
  EXPECT_EQ(violations[0].second,
            "s.fill ends as \"red a1\" (written by user 1 at 1.000 s), but user 2 saw that value and then wrote "
            "\"blue b1\" at 2.500 s");
  // Unless the later write died with its client before reaching anyone.
  recorder.Forget(IntentId{2, 1});
  EXPECT_TRUE(recorder.Check(Props{{{"s", "fill"}, std::string("red a1")}}, 3).empty());
}

TEST(Convergence, ComparesCanvasesToo) {
  View a, b;
  a.properties[{"s", "fill"}] = std::string("red");
  b.properties[{"s", "fill"}] = std::string("blue");
  EXPECT_EQ(CheckConvergence({{"server", a}, {"user 1", b}}),
            "server and user 1 differ on the canvas at s.fill: server has \"red\", user 1 has \"blue\"");
  b.properties.clear();
  EXPECT_EQ(CheckConvergence({{"server", a}, {"user 1", b}}),
            "server and user 1 differ on the canvas at s.fill: server has \"red\", user 1 has nothing");
  EXPECT_EQ(CheckConvergence({{"server", a}, {"user 1", a}}), std::nullopt);
}

}  // namespace
}  // namespace collabsim::check
