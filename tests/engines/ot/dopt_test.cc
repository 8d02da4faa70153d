// The `ot-dopt` negative control: its positional transformation is sound
// for two ops made on one document (TP1), and yet three sites running dOPT
// over a mesh diverge, as Ellis & Gibbs' algorithm is known to; the
// checkers must see it. Malformed requests change nothing.
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dopt_wire.pb.h"
#include "engines/common/utf8.h"
#include "engines/ot/dopt_engine.h"
#include "engines/ot/dopt_op.h"
#include "tests/engines/common/mesh_harness.h"

namespace collabsim::dopt {
namespace {

DoptOp RandomOp(std::mt19937_64& random, uint64_t length) {
  if (length == 0 || random() % 2 == 0) {
    return DoptInsert{random() % (length + 1), std::u32string(1 + random() % 3, U'a' + random() % 26)};
  }
  DoptDelete del;
  uint64_t at = random() % length;
  while (at < length && del.ranges.size() < 3) {
    const uint64_t len = 1 + random() % std::min<uint64_t>(3, length - at);
    del.ranges.push_back({at, len});
    at += len + 1 + random() % 3;
  }
  return del;
}

TEST(DoptTransform, TwoOpsOnOneDocumentConvergeEitherWay) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 5000; ++round) {
    const std::u32string start(random() % 12, U'x');
    std::u32string doc = start;
    for (char32_t& c : doc) c = U'0' + random() % 10;
    const DoptOp a = RandomOp(random, doc.size());
    const DoptOp b = RandomOp(random, doc.size());
    ChunkedText ab(doc), ba(doc);
    Apply(a, &ab);
    Apply(Transform(b, 2, a, 1), &ab);
    Apply(b, &ba);
    Apply(Transform(a, 1, b, 2), &ba);
    ASSERT_EQ(ab.ToU32String(), ba.ToU32String()) << "round " << round;
  }
}

TEST(DoptTransform, ConcurrentInsertsAtOnePlaceGoInSiteOrder) {
  ChunkedText text(U"ab");
  const DoptOp one = DoptInsert{1, U"X"};
  const DoptOp two = DoptInsert{1, U"Y"};
  Apply(two, &text);
  Apply(Transform(one, 1, two, 2), &text);
  EXPECT_EQ(text.ToU32String(), U"aXYb");
}

TEST(DoptTransform, OpsFromTheWrongContextAreClampedNotFatal) {
  ChunkedText text(U"abc");
  Apply(DoptInsert{99, U"!"}, &text);
  Apply(DoptDelete{{{2, 50}}}, &text);
  EXPECT_EQ(text.ToU32String(), U"ab");
}

// Three fully connected sites typing at random with random delivery order:
// dOPT must diverge on some seed, or the negative control proves nothing.
TEST(DoptSite, ThreeSitesDivergeUnderSomeDeliveryOrder) {
  int diverged = 0;
  for (uint64_t seed = 1; seed <= 100 && diverged == 0; ++seed) {
    std::mt19937_64 random(seed);
    testing::MeshHarness h(DoptEngine(), 3);
    h.LinkAll();
    h.DeliverAll();
    for (int step = 0; step < 60; ++step) {
      const ReplicaId k = 1 + random() % 3;
      const uint64_t length = h.peer(k).TextLength();
      if (random() % 3 == 0) {
        for (int d = 0; d < 2; ++d) h.DeliverRandom(random);
      } else if (length > 0 && random() % 4 == 0) {
        h.Erase(k, random() % length, 1);
      } else {
        h.Type(k, random() % (length + 1), std::string(1, static_cast<char>('a' + random() % 26)));
      }
    }
    h.DeliverAll();
    const std::string one = h.peer(1).GetView().text;
    if (h.peer(2).GetView().text != one || h.peer(3).GetView().text != one) ++diverged;
  }
  EXPECT_GT(diverged, 0);
}

TEST(DoptSite, SequentialEditsConvergeAndTravelOnThroughAPeer) {
  testing::MeshHarness h(DoptEngine(), 3);
  h.Link(1, 2);
  h.Link(2, 3);
  h.DeliverAll();
  h.Type(1, 0, "hello");
  h.DeliverAll();
  h.Type(3, 5, " world");
  h.DeliverAll();
  h.Erase(2, 0, 1);
  h.DeliverAll();
  h.ExpectConverged("ello world");
  h.Link(1, 3);  // a late link: each side's Hello says it holds everything
  h.DeliverAll();
  h.ExpectConverged("ello world");
}

TEST(DoptSite, MalformedRequestsChangeNothing) {
  testing::MeshHarness h(DoptEngine(), 2);
  h.Type(1, 0, "abc");
  h.Link(1, 2);
  Replica& site = h.peer(1);
  auto requests = [](auto fill) {
    wire::PeerMessage m;
    fill(m.mutable_requests()->add_requests());
    return m.SerializeAsString();
  };
  EXPECT_FALSE(site.Receive(2, requests([](wire::Request* r) { r->set_site(2); })).ok()) << "before Hello";
  wire::PeerMessage hello;
  hello.mutable_hello();
  ASSERT_TRUE(site.Receive(2, hello.SerializeAsString()).ok());
  site.TakeOutbox();
  const std::string before = site.GetView().text;
  EXPECT_FALSE(site.Receive(2, "\xff\xff").ok());
  // The same Hello at once is a proxy's duplicate (ignored); with other
  // bytes (an unknown field 15 after it) it is a second Hello, refused.
  EXPECT_TRUE(site.Receive(2, hello.SerializeAsString()).ok()) << "duplicate Hello";
  EXPECT_THAT(site.Receive(2, hello.SerializeAsString() + "\x78\x01").message(), ::testing::HasSubstr("second Hello"));
  EXPECT_FALSE(site.Receive(2, requests([](wire::Request* r) {
                  r->set_site(2);
                  r->set_number(1);
                  r->set_intent_seq(1);
                })).ok()) << "no op";
  EXPECT_FALSE(site.Receive(2, requests([](wire::Request* r) {
                  r->set_site(2);
                  r->set_number(2);  // its context must then count 1 of its own
                  r->set_intent_seq(1);
                  r->mutable_insert()->set_text("x");
                })).ok());
  EXPECT_FALSE(site.Receive(2, requests([](wire::Request* r) {
                  r->set_site(2);
                  r->set_number(1);
                  r->set_intent_seq(1);
                  wire::Range* a = r->mutable_delete_()->add_ranges();
                  a->set_position(2);
                  a->set_length(2);
                  wire::Range* b = r->mutable_delete_()->add_ranges();
                  b->set_position(1);
                  b->set_length(1);
                })).ok()) << "ranges out of order";
  EXPECT_EQ(site.GetView().text, before);
  EXPECT_TRUE(site.TakeOutbox().empty());
  site.CheckInvariants();
}

TEST(DoptEngine, IsALabelledNegativeControlOnAMesh) {
  const EngineTraits& traits = DoptEngine().traits();
  EXPECT_EQ(traits.name, "ot-dopt");
  EXPECT_TRUE(traits.negative_control);
  EXPECT_EQ(traits.topology, Topology::kMesh);
  EXPECT_NE(traits.description.find("NEGATIVE CONTROL"), std::string::npos);
  EXPECT_FALSE(DoptEngine().RestoreClient(1, "", {}).ok());
}

}  // namespace
}  // namespace collabsim::dopt
