// The LWW canvas: objects created, moved, reordered and deleted through
// intents; moves into an object's own subtree refused in the view and
// detected for the server; objects in a cycle or under a deleted object
// left out of the visible tree.
#include "engines/common/object_tree.h"

#include <gtest/gtest.h>

namespace collabsim {
namespace {

void Do(ObjectTree& tree, IntentBody body, uint64_t seq) {
  absl::StatusOr<std::vector<RegisterWrite>> writes = tree.Edit(body, IntentId{1, seq});
  ASSERT_TRUE(writes.ok()) << writes.status();
  for (const RegisterWrite& write : *writes) {
    ASSERT_TRUE(ObjectTree::ValidateWrite(write).ok()) << ObjectTree::ValidateWrite(write);
    tree.Apply(write);
  }
  tree.CheckInvariants();
}

std::string ParentOf(const ObjectTree& tree, const std::string& id) {
  const auto props = tree.VisibleProperties();
  auto it = props.find(PropertyKey{id, "parent"});
  return it == props.end() ? "(invisible)" : std::get<std::string>(it->second);
}

TEST(ObjectTree, CreateMoveReorderDelete) {
  ObjectTree tree;
  Do(tree, CreateObject{"frame", "root"}, 1);
  Do(tree, CreateObject{"a", "root"}, 2);
  Do(tree, CreateObject{"b", "root"}, 3);
  Do(tree, SetProperty{"a", "fill", std::string("#fff")}, 4);
  Do(tree, MoveObject{"a", "frame", ""}, 5);
  EXPECT_EQ(ParentOf(tree, "a"), "frame");
  Do(tree, MoveObject{"b", "frame", "a"}, 6);  // b below a in the frame
  const auto props = tree.VisibleProperties();
  EXPECT_LT(std::get<std::string>(props.at({"b", "index"})), std::get<std::string>(props.at({"a", "index"})));
  EXPECT_EQ(std::get<std::string>(props.at({"a", "fill"})), "#fff");
  Do(tree, DeleteObject{"frame"}, 7);  // takes a and b with it
  EXPECT_TRUE(tree.VisibleProperties().empty());
  EXPECT_EQ(tree.ObjectCount(), 3u);  // kept, as tombstones
}

TEST(ObjectTree, RefusesIntentsThatMakeNoSenseInTheView) {
  ObjectTree tree;
  Do(tree, CreateObject{"f1", "root"}, 1);
  Do(tree, CreateObject{"f2", "f1"}, 2);
  EXPECT_FALSE(tree.Edit(MoveObject{"f1", "f2", ""}, IntentId{1, 3}).ok());  // into its own subtree
  EXPECT_FALSE(tree.Edit(MoveObject{"f1", "f1", ""}, IntentId{1, 3}).ok());
  EXPECT_FALSE(tree.Edit(CreateObject{"f1", "root"}, IntentId{1, 3}).ok());  // exists
  EXPECT_FALSE(tree.Edit(CreateObject{"x", "nowhere"}, IntentId{1, 3}).ok());
  EXPECT_FALSE(tree.Edit(SetProperty{"ghost", "fill", 1.0}, IntentId{1, 3}).ok());
  EXPECT_FALSE(tree.Edit(SetProperty{"f1", "parent", std::string("root")}, IntentId{1, 3}).ok());
  EXPECT_FALSE(tree.Edit(CreateObject{"bad id!", "root"}, IntentId{1, 3}).ok());
  EXPECT_FALSE(tree.Edit(MoveObject{"f2", "root", "f2"}, IntentId{1, 3}).ok());  // before itself
}

TEST(ObjectTree, ConcurrentCrossMovesMakeACycleThatIsNotShown) {
  // Two users each move one frame into the other; a replica that applies
  // both (before the server refuses one) hides the pair.
  ObjectTree tree;
  Do(tree, CreateObject{"f1", "root"}, 1);
  Do(tree, CreateObject{"f2", "root"}, 2);
  Do(tree, CreateObject{"s", "f2"}, 3);
  EXPECT_FALSE(tree.MoveWouldDetach("f1", "f2"));
  tree.Apply(RegisterWrite{{"c/f1", "parent"}, std::string("f2")});
  EXPECT_TRUE(tree.MoveWouldDetach("f2", "f1"));  // what the server checks
  tree.Apply(RegisterWrite{{"c/f2", "parent"}, std::string("f1")});
  EXPECT_TRUE(tree.HasCycle());
  EXPECT_FALSE(tree.IsVisible("f1"));
  EXPECT_FALSE(tree.IsVisible("s"));
  EXPECT_TRUE(tree.VisibleProperties().empty());
  tree.Apply(RegisterWrite{{"c/f2", "parent"}, std::string("root")});  // the server's answer
  EXPECT_FALSE(tree.HasCycle());
  EXPECT_EQ(ParentOf(tree, "f1"), "f2");
  EXPECT_EQ(ParentOf(tree, "s"), "f2");
}

TEST(ObjectTree, MovingUnderADeletedObjectDetaches) {
  ObjectTree tree;
  Do(tree, CreateObject{"f", "root"}, 1);
  Do(tree, CreateObject{"s", "root"}, 2);
  Do(tree, DeleteObject{"f"}, 3);
  EXPECT_TRUE(tree.MoveWouldDetach("s", "f"));
  EXPECT_TRUE(tree.MoveWouldDetach("s", "never-created"));
  EXPECT_FALSE(tree.MoveWouldDetach("s", "root"));
}

TEST(ObjectTree, MalformedWritesAreRefusedByName) {
  auto error = [](RegisterWrite write) { return std::string(ObjectTree::ValidateWrite(write).message()); };
  EXPECT_EQ(error({{"c/a", "parent"}, std::string("c/a")}), "write to c/a.parent: parent must be \"root\" or an object id");
  EXPECT_EQ(error({{"c/a", "parent"}, std::string("a")}), "write to c/a.parent: an object cannot be its own parent");
  EXPECT_EQ(error({{"c/a", "deleted"}, false}), "write to c/a.deleted: deleted can only be set to true");
  EXPECT_EQ(error({{"c/a", "Fill"}, 1.0}), "write to c/a.Fill: property names are 1-32 of [a-z0-9_]");
  EXPECT_EQ(error({{"c/a", "fill"}, std::string(300, 'x')}), "write to c/a.fill: a text value holds at most 256 bytes");
  EXPECT_EQ(error({{"c/", "fill"}, 1.0}), "write to c/.fill: canvas object ids are c/ then 1-48 of [A-Za-z0-9._-]");
  EXPECT_TRUE(ObjectTree::ValidateWrite({{"c/a", "fill"}, PropertyValue{}}).ok());  // cleared
}

}  // namespace
}  // namespace collabsim
