// Carets and selections on the presence channel, for every client-server
// engine: a cursor published by its owner, relayed through the server and
// shown by the others stays on its characters while text moves, and once
// everything is delivered (and the owner has republished whatever no longer
// places it) everyone shows it where the owner has it. The relay here is
// instantaneous, so presence overtakes edits in every order the tests and
// RapidCheck choose, harder than the FIFO links of a run.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engines/common/check.h"
#include "engines/registry.h"
#include "tests/engines/common/relay_harness.h"

namespace collabsim {
namespace {

using testing::RelayHarness;

// The client's caret facet (every engine tested here has one).
CaretFacet& CaretsOf(Replica& client) {
  CaretFacet* carets = client.carets();
  COLLABSIM_CHECK(carets != nullptr);
  return *carets;
}

// One end of owner's selection as the server relays it (as is without a
// rewriting of its own).
std::optional<std::string> Rebase(const Replica& server, ReplicaId owner, std::string_view position) {
  if (server.caret_rebase() == nullptr) return std::string(position);
  return server.caret_rebase()->RebaseCaret(owner, position);
}

// The presence channel between the harness's replicas: the server's memory
// of each owner's last caret (as sent), relayed at once to connected users.
class CaretRelay {
 public:
  CaretRelay(RelayHarness* h, int clients) : h_(h), clients_(clients), connected_(clients + 1, true) {}

  // The owner's client publishes if its cursor's encoding changed, as a
  // run's World does after every step.
  void Publish(ReplicaId owner) {
    if (!connected_[owner]) return;
    const EncodedSelection bytes = CaretsOf(h_->client(owner)).PublishSelection();
    ASSERT_FALSE(bytes.anchor.empty() || bytes.head.empty());
    if (sent_[owner] == bytes) return;
    sent_[owner] = bytes;
    for (ReplicaId k = 1; k <= clients_; ++k) {
      if (k != owner && connected_[k]) Show(k, owner);
    }
  }
  void PublishAll() {
    for (ReplicaId k = 1; k <= clients_; ++k) Publish(k);
  }
  void Drop(ReplicaId k) {
    h_->Drop(k);
    connected_[k] = false;
    sent_.erase(k);
    for (ReplicaId j = 1; j <= clients_; ++j) {
      CaretsOf(h_->client(j)).HideRemoteSelection(k);
      CaretsOf(h_->client(k)).HideRemoteSelection(j);
    }
  }
  void Connect(ReplicaId k) {
    h_->Connect(k);
    connected_[k] = true;
    for (const auto& [owner, bytes] : sent_) {
      if (owner != k) Show(k, owner);
    }
    Publish(k);
  }
  // Every connected user shows every other connected user's cursor where
  // its owner has it.
  void ExpectAgreement() {
    for (ReplicaId observer = 1; observer <= clients_; ++observer) {
      for (ReplicaId owner = 1; owner <= clients_; ++owner) {
        if (observer == owner || !connected_[observer] || !connected_[owner]) continue;
        EXPECT_EQ(CaretsOf(h_->client(observer)).RemoteSelection(owner), CaretsOf(h_->client(owner)).OwnSelection())
            << "user " << observer << " showing user " << owner << "'s caret in \""
            << h_->client(observer).GetView().text << "\"";
      }
    }
  }
  void RunAgreement() {
    for (ReplicaId observer = 1; observer <= clients_; ++observer) {
      for (ReplicaId owner = 1; owner <= clients_; ++owner) {
        if (observer == owner || !connected_[observer] || !connected_[owner]) continue;
        const std::optional<Selection> shown = CaretsOf(h_->client(observer)).RemoteSelection(owner);
        const Selection own = CaretsOf(h_->client(owner)).OwnSelection();
        RC_LOG() << "user " << observer << " shows user " << owner << "'s cursor at "
                 << (shown.has_value() ? absl::StrCat(shown->anchor, "-", shown->head) : "none")
                 << "; its owner has it at " << own.anchor << "-" << own.head << " in \""
                 << absl::CHexEscape(h_->client(owner).GetView().text) << "\"\n";
        RC_ASSERT(shown == std::optional(own));
      }
    }
  }

 private:
  void Show(ReplicaId observer, ReplicaId owner) {
    const std::optional<std::string> anchor = Rebase(h_->server(), owner, sent_[owner].anchor);
    const std::optional<std::string> head = Rebase(h_->server(), owner, sent_[owner].head);
    ASSERT_TRUE(anchor.has_value() && head.has_value());
    const absl::Status shown = CaretsOf(h_->client(observer)).ShowRemoteSelection(owner, *anchor, *head);
    ASSERT_TRUE(shown.ok()) << shown;
  }

  RelayHarness* h_;
  ReplicaId clients_;
  std::vector<bool> connected_;
  std::map<ReplicaId, EncodedSelection> sent_;
};

class Carets : public ::testing::TestWithParam<std::string> {
 protected:
  const Engine& engine() const { return **FindEngine(GetParam()); }
};
// The property also runs on lww-document, whose one register per document
// loses the concurrent edits the scripted tests above rely on.
class CaretsQuiet : public Carets {};

// Edits in another paragraph, so that LWW (a caret is a block and an
// offset; a paragraph is one register) keeps them all too.
TEST_P(Carets, StayOnTheirCharacterWhileOthersEditAroundThem) {
  RelayHarness h(engine(), 3);
  CaretRelay relay(&h, 3);
  h.Type(1, 0, "intro\nhello world");
  h.DeliverAll();
  ASSERT_TRUE(h.Do(1, MoveCursor{12}).ok());  // before "world"
  relay.PublishAll();
  h.DeliverAll();
  relay.ExpectAgreement();
  // Concurrent edits before and after the caret, shown before they reach
  // anyone.
  h.Type(2, 0, "oh ");
  h.Type(3, 17, "!");
  relay.PublishAll();
  h.DeliverAll();
  relay.PublishAll();
  h.ExpectConverged("oh intro\nhello world!");
  relay.ExpectAgreement();
  EXPECT_EQ(CaretsOf(h.client(2)).RemoteCaret(1), 15u);  // still before "world"
  EXPECT_EQ(CaretsOf(h.client(3)).RemoteCaret(1), 15u);
}

// The owner's typing moves its caret for everyone, even before the owner
// publishes again (an OT caret at a revision is pushed by its owner's own
// inserts, at each client and when the server rebases it for a joiner).
TEST_P(Carets, FollowTheirOwnersTyping) {
  RelayHarness h(engine(), 3);
  CaretRelay relay(&h, 3);
  relay.Drop(3);
  h.Type(1, 0, "ab");
  h.DeliverAll();
  relay.PublishAll();
  h.Type(1, 2, "cd");
  relay.PublishAll();  // nothing new to send where the caret's encoding still places it
  h.DeliverAll();
  EXPECT_EQ(CaretsOf(h.client(2)).RemoteCaret(1), 4u);
  relay.Connect(3);  // gets the caret as the server last had it
  h.DeliverAll();
  EXPECT_EQ(CaretsOf(h.client(3)).RemoteCaret(1), 4u);
  relay.PublishAll();
  h.ExpectConverged("abcd");
  relay.ExpectAgreement();
}

TEST_P(Carets, ComeBackAfterAReconnect) {
  RelayHarness h(engine(), 2);
  CaretRelay relay(&h, 2);
  h.Type(1, 0, "one two");
  h.DeliverAll();
  relay.PublishAll();
  relay.Drop(2);
  EXPECT_EQ(CaretsOf(h.client(1)).RemoteCaret(2), std::nullopt);
  h.Type(1, 0, "zero ");
  h.DeliverAll();
  relay.Connect(2);
  h.DeliverAll();
  relay.PublishAll();
  h.ExpectConverged("zero one two");
  relay.ExpectAgreement();
}

// A selection's two ends each stay on their character while others edit
// in other paragraphs, and the owner's next edit collapses it for everyone.
TEST_P(Carets, SelectionsKeepBothEndsAndCollapseOnTheNextEdit) {
  RelayHarness h(engine(), 3);
  CaretRelay relay(&h, 3);
  h.Type(1, 0, "intro\nhello world\nend");
  h.DeliverAll();
  ASSERT_TRUE(h.Do(1, MoveCursor{17, 12}).ok());  // "world", dragged from its start
  relay.PublishAll();
  h.DeliverAll();
  EXPECT_EQ(CaretsOf(h.client(1)).OwnSelection(), (Selection{12, 17}));
  EXPECT_EQ(CaretsOf(h.client(2)).RemoteSelection(1), (Selection{12, 17}));
  EXPECT_EQ(CaretsOf(h.client(2)).RemoteCaret(1), 17u);
  h.Type(2, 0, "oh ");
  h.Type(3, 18, "the ");
  relay.PublishAll();
  h.DeliverAll();
  relay.PublishAll();
  h.ExpectConverged("oh intro\nhello world\nthe end");
  relay.ExpectAgreement();
  EXPECT_EQ(CaretsOf(h.client(3)).RemoteSelection(1), (Selection{15, 20}));  // still "world"
  h.Erase(1, 15, 5);  // deletes the selection: a caret where it was
  relay.PublishAll();
  h.DeliverAll();
  relay.PublishAll();
  EXPECT_EQ(CaretsOf(h.client(1)).OwnSelection(), (Selection{15, 15}));
  relay.ExpectAgreement();
  EXPECT_EQ(CaretsOf(h.client(2)).RemoteSelection(1), (Selection{15, 15}));
}

TEST_P(Carets, UndecodablePositionsAreRefusedAndChangeNothing) {
  RelayHarness h(engine(), 2);
  CaretRelay relay(&h, 2);
  h.Type(1, 0, "text");
  h.DeliverAll();
  relay.PublishAll();
  const std::optional<Selection> before = CaretsOf(h.client(2)).RemoteSelection(1);
  ASSERT_TRUE(before.has_value());
  const EncodedSelection good = CaretsOf(h.client(1)).PublishSelection();
  for (const std::string& bad : {std::string("\xff\xff\xff"), std::string()}) {
    // A bad head, or a good head with a bad anchor.
    for (const auto& [anchor, head] : {std::pair(bad, bad), std::pair(bad, good.head)}) {
      const absl::Status shown = CaretsOf(h.client(2)).ShowRemoteSelection(1, anchor, head);
      EXPECT_EQ(shown.code(), absl::StatusCode::kInvalidArgument) << absl::CHexEscape(bad);
      EXPECT_EQ(CaretsOf(h.client(2)).RemoteSelection(1), before);
    }
  }
  // Nor may a client be shown its own cursor.
  EXPECT_FALSE(CaretsOf(h.client(2)).ShowRemoteSelection(2, good.anchor, good.head).ok());
}

// Random edits, cursor moves and selections, deliveries, drops and
// reconnects on three clients, cursors published whenever their encoding
// changes: once all is delivered, every cursor agrees with its owner.
TEST_P(CaretsQuiet, AgreeWithTheirOwnersOnceQuiet) {
  const Engine* engine = &this->engine();
  const bool ok = rc::check("carets agree once quiet", [engine] {
    RelayHarness h(*engine, 3);
    CaretRelay relay(&h, 3);
    std::vector<bool> up(4, true);
    const int steps = *rc::gen::inRange(10, 60);
    for (int step = 0; step < steps; ++step) {
      const auto k = static_cast<ReplicaId>(*rc::gen::inRange(1, 4));
      const uint64_t length = h.client(k).TextLength();
      switch (*rc::gen::inRange(0, 8)) {
        case 0:
        case 1: {
          const uint64_t at = *rc::gen::inRange<uint64_t>(0, length + 1);
          const std::string text = *rc::gen::element<std::string>("a", "bc ", "def\n");
          RC_LOG() << "user " << k << " types \"" << absl::CHexEscape(text) << "\" at " << at << "\n";
          h.Type(k, at, text);
          break;
        }
        case 2:
          if (length > 0) {
            const uint64_t at = *rc::gen::inRange<uint64_t>(0, length);
            const uint64_t count = *rc::gen::inRange<uint64_t>(1, length - at + 1);
            RC_LOG() << "user " << k << " deletes " << count << " at " << at << "\n";
            h.Erase(k, at, count);
          }
          break;
        case 3: {
          const uint64_t at = *rc::gen::inRange<uint64_t>(0, length + 1);
          if (*rc::gen::arbitrary<bool>()) {
            const uint64_t from = *rc::gen::inRange<uint64_t>(0, length + 1);
            RC_LOG() << "user " << k << " selects from " << from << " to " << at << "\n";
            RC_ASSERT(h.Do(k, MoveCursor{at, from}).ok());
          } else {
            RC_LOG() << "user " << k << " moves its caret to " << at << "\n";
            RC_ASSERT(h.Do(k, MoveCursor{at}).ok());
          }
          break;
        }
        case 4:
          RC_LOG() << "one message from user " << k << " reaches the server\n";
          h.DeliverUp(k);
          break;
        case 5:
          RC_LOG() << "one message reaches user " << k << "\n";
          h.DeliverDown(k);
          break;
        case 6:
          if (up[k] && *rc::gen::inRange(0, 4) == 0) {
            RC_LOG() << "user " << k << " drops\n";
            relay.Drop(k);
            up[k] = false;
          } else if (!up[k]) {
            RC_LOG() << "user " << k << " reconnects\n";
            relay.Connect(k);
            up[k] = true;
          }
          break;
        default:
          RC_LOG() << "everything is delivered\n";
          h.DeliverAll();
      }
      relay.PublishAll();
    }
    for (ReplicaId k = 1; k <= 3; ++k) {
      if (!up[k]) relay.Connect(k);
    }
    h.DeliverAll();
    relay.PublishAll();
    relay.RunAgreement();
  });
  EXPECT_TRUE(ok);
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::erase(name, '-');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Engines, Carets, ::testing::Values("ot", "crdt", "crdt-rga", "lww"), TestName);
INSTANTIATE_TEST_SUITE_P(Engines, CaretsQuiet, ::testing::Values("ot", "crdt", "crdt-rga", "lww", "lww-document"),
                         TestName);

}  // namespace
}  // namespace collabsim
