// The canvas through every client-server engine that has one (ot, crdt,
// lww): concurrent property writes converge, a client never flickers back
// to another writer's value while its own write is pending (server-ordered
// engines), pending canvas writes survive a restart from local storage,
// the server's canvas survives its restart, and engines without moves
// refuse them. Invariants are checked wherever the canvas is compared.
#include <gtest/gtest.h>

#include "engines/registry.h"
#include "tests/engines/common/relay_harness.h"

namespace collabsim::testing {
namespace {

const PropertyValue kRed{std::string("red")};
const PropertyValue kBlue{std::string("blue")};

PropertyValue Shown(const Replica& replica, const std::string& object, const std::string& property) {
  const View view = replica.GetView();
  const auto it = view.properties.find(PropertyKey{object, property});
  return it == view.properties.end() ? PropertyValue{} : it->second;
}

void ExpectCanvasConverged(RelayHarness& h, int clients) {
  const auto expected = h.server().GetView().properties;
  for (ReplicaId k = 1; k <= static_cast<ReplicaId>(clients); ++k) {
    EXPECT_EQ(h.client(k).GetView().properties, expected) << "client " << k;
    h.client(k).CheckInvariants();
  }
  h.server().CheckInvariants();
}

class CanvasEngines : public ::testing::TestWithParam<std::string> {
 protected:
  const Engine& engine() const { return **FindEngine(GetParam()); }
  bool server_ordered() const { return GetParam() != "crdt"; }
};

TEST_P(CanvasEngines, ConcurrentWritesConvergeWithoutFlicker) {
  RelayHarness h(engine(), 2);
  ASSERT_TRUE(h.Do(1, CreateObject{"card", std::string(kRootObject)}).ok());
  h.DeliverAll();
  ASSERT_EQ(Shown(h.client(2), "card", "parent"), PropertyValue{std::string("root")});
  ASSERT_TRUE(h.Do(1, SetProperty{"card", "fill", kRed}).ok());
  ASSERT_TRUE(h.Do(2, SetProperty{"card", "fill", kBlue}).ok());
  // Client 2's write reaches the server first; client 1's comes after it.
  while (h.DeliverUp(2)) {
  }
  while (h.DeliverDown(1)) {
    if (server_ordered()) {
      EXPECT_EQ(Shown(h.client(1), "card", "fill"), kRed) << "flicker on client 1";
    }
  }
  h.DeliverAll();
  ExpectCanvasConverged(h, 2);
  const PropertyValue final_value = Shown(h.server(), "card", "fill");
  if (server_ordered()) {
    EXPECT_EQ(final_value, kRed);  // the later arrival wins
  }
  EXPECT_TRUE(final_value == kRed || final_value == kBlue);
}

TEST_P(CanvasEngines, ARegisterWrittenAgainWhileItsFirstWriteIsInFlightShowsTheSecond) {
  RelayHarness h(engine(), 2);
  ASSERT_TRUE(h.Do(1, CreateObject{"card", std::string(kRootObject)}).ok());
  h.DeliverAll();
  ASSERT_TRUE(h.Do(1, SetProperty{"card", "fill", kRed}).ok());   // in flight
  ASSERT_TRUE(h.Do(1, SetProperty{"card", "fill", kBlue}).ok());  // buffered behind it
  h.client(1).CheckInvariants();
  EXPECT_EQ(Shown(h.client(1), "card", "fill"), kBlue);
  h.RestartFromStorage(1);
  h.client(1).CheckInvariants();
  EXPECT_EQ(Shown(h.client(1), "card", "fill"), kBlue);
  h.Connect(1);
  h.DeliverAll();
  ExpectCanvasConverged(h, 2);
  EXPECT_EQ(Shown(h.client(2), "card", "fill"), kBlue);
}

TEST_P(CanvasEngines, DeletionHidesAnObjectAndWhatIsCreatedUnderIt) {
  RelayHarness h(engine(), 2);
  ASSERT_TRUE(h.Do(1, CreateObject{"frame", std::string(kRootObject)}).ok());
  h.DeliverAll();
  ASSERT_TRUE(h.Do(2, CreateObject{"inner", "frame"}).ok());
  ASSERT_TRUE(h.Do(1, DeleteObject{"frame"}).ok());
  h.DeliverAll();
  ExpectCanvasConverged(h, 2);
  EXPECT_TRUE(h.server().GetView().properties.empty());
  // A set on the deleted object is refused where it is known to be gone.
  EXPECT_FALSE(h.Do(2, SetProperty{"inner", "fill", kRed}).ok());
}

TEST_P(CanvasEngines, PendingWritesSurviveARestartFromStorage) {
  RelayHarness h(engine(), 2);
  ASSERT_TRUE(h.Do(1, CreateObject{"note", std::string(kRootObject)}).ok());
  h.DeliverAll();
  h.Drop(1);
  ASSERT_TRUE(h.Do(1, SetProperty{"note", "x", PropertyValue{42.0}}).ok());
  ASSERT_TRUE(h.Do(1, CreateObject{"other", "note"}).ok());
  h.RestartFromStorage(1);
  EXPECT_EQ(Shown(h.client(1), "note", "x"), PropertyValue{42.0});
  h.Connect(1);
  h.DeliverAll();
  ExpectCanvasConverged(h, 2);
  EXPECT_EQ(Shown(h.client(2), "note", "x"), PropertyValue{42.0});
  EXPECT_EQ(Shown(h.client(2), "other", "parent"), PropertyValue{std::string("note")});
}

TEST_P(CanvasEngines, TheServersCanvasSurvivesItsRestart) {
  RelayHarness h(engine(), 2);
  ASSERT_TRUE(h.Do(1, CreateObject{"a", std::string(kRootObject)}).ok());
  ASSERT_TRUE(h.Do(2, CreateObject{"b", std::string(kRootObject)}).ok());
  h.DeliverAll();
  ASSERT_TRUE(h.Do(2, SetProperty{"a", "label", PropertyValue{std::string("hello")}}).ok());
  h.DeliverAll();
  const auto before = h.server().GetView().properties;
  h.RestartServer();
  EXPECT_EQ(h.server().GetView().properties, before);
  for (ReplicaId k : {1u, 2u}) h.Connect(k);
  ASSERT_TRUE(h.Do(1, SetProperty{"b", "label", PropertyValue{std::string("world")}}).ok());
  h.DeliverAll();
  ExpectCanvasConverged(h, 2);
  EXPECT_EQ(Shown(h.client(2), "b", "label"), PropertyValue{std::string("world")});
}

TEST_P(CanvasEngines, MovesAreRefusedByEnginesWithoutThem) {
  RelayHarness h(engine(), 1);
  ASSERT_TRUE(h.Do(1, CreateObject{"f", std::string(kRootObject)}).ok());
  ASSERT_TRUE(h.Do(1, CreateObject{"s", std::string(kRootObject)}).ok());
  const absl::Status moved = h.Do(1, MoveObject{"s", "f", ""});
  EXPECT_EQ(moved.ok(), engine().traits().moves_objects) << moved;
  if (!engine().traits().moves_objects) {
    EXPECT_EQ(moved.code(), absl::StatusCode::kUnimplemented);
    EXPECT_EQ(Shown(h.client(1), "s", "parent"), PropertyValue{std::string("root")});
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, CanvasEngines, ::testing::Values("ot", "crdt", "lww"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace collabsim::testing
