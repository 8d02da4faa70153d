// Eg-walker mesh peer: Hello and catch-up on each link, flooding with
// suppression, first-hand acks (see egwalker_peer.h).
#include "engines/egwalker/egwalker_peer.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"

namespace collabsim::egwalker {
namespace {

// Events in a wire run: a delete's length, an insert's code points.
uint64_t RunEvents(const wire::EventRun& run) {
  if (run.delete_()) return run.length();
  return static_cast<uint64_t>(
      std::count_if(run.text().begin(), run.text().end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void MarkHeld(absl::btree_map<uint64_t, uint64_t>* known, uint64_t agent_key, uint64_t next_seq) {
  uint64_t& held = (*known)[agent_key];
  held = std::max(held, next_seq);
}

}  // namespace

absl::Status EgwalkerPeer::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  auto it = neighbours_.find(from);
  if (it == neighbours_.end()) {
    return absl::FailedPreconditionError(
        absl::StrFormat("Eg-walker peer %d got a message from %d, not a connected peer", id(), from));
  }
  Neighbour& neighbour = it->second;
  wire::PeerMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(absl::StrFormat("undecodable Eg-walker peer message from %d", from));
  }
  if (message.body_case() == wire::PeerMessage::BODY_NOT_SET) {
    return absl::InvalidArgumentError(absl::StrFormat("Eg-walker peer message with no body from %d", from));
  }
  if (message.body_case() != wire::PeerMessage::kHello && !neighbour.hello_received) {
    return absl::FailedPreconditionError(absl::StrFormat("peer %d spoke before its Hello", from));
  }
  switch (message.body_case()) {
    case wire::PeerMessage::kHello:
      return HandleHello(from, neighbour, message.hello());
    case wire::PeerMessage::kCatchUp:
      if (neighbour.chunks_expected > 0) {
        return absl::FailedPreconditionError(absl::StrFormat("peer %d started a second catch-up", from));
      }
      neighbour.chunks_expected = message.catch_up().chunks();
      neighbour.catch_up_events = 0;
      return absl::OkStatus();
    case wire::PeerMessage::kEvents:
      return HandleEvents(from, neighbour, message.events());
    case wire::PeerMessage::kAck:
      return HandleAck(from, neighbour, message.ack());
    case wire::PeerMessage::BODY_NOT_SET:
      break;
  }
  return absl::InternalError("unreachable");
}

absl::btree_map<uint64_t, uint64_t> EgwalkerPeer::HeldVersion() const {
  const EventGraph& graph = doc().document().graph();
  absl::btree_map<uint64_t, uint64_t> held;
  for (uint32_t agent = 0; agent < graph.agent_count(); ++agent) {
    if (const uint64_t next = graph.NextSeq(agent); next > 0) held[graph.AgentKey(agent)] = next;
  }
  return held;
}

std::vector<LvSpan> EgwalkerPeer::MissingFrom(const absl::btree_map<uint64_t, uint64_t>& held) const {
  const EventGraph& graph = doc().document().graph();
  std::vector<LvSpan> spans;
  for (uint32_t agent = 0; agent < graph.agent_count(); ++agent) {
    const auto it = held.find(graph.AgentKey(agent));
    const uint64_t from = it == held.end() ? 0 : it->second;
    if (const uint64_t next = graph.NextSeq(agent); from < next) {
      for (const LvSpan& span : graph.SpansOf(agent, from, next)) spans.push_back(span);
    }
  }
  std::sort(spans.begin(), spans.end(), [](const LvSpan& a, const LvSpan& b) { return a.start < b.start; });
  std::vector<LvSpan> merged;
  for (const LvSpan& span : spans) {
    if (!merged.empty() && merged.back().end == span.start) {
      merged.back().end = span.end;
    } else {
      merged.push_back(span);
    }
  }
  return merged;
}

absl::Status EgwalkerPeer::HandleHello(ReplicaId from, Neighbour& neighbour, const wire::Hello& hello) {
  if (neighbour.hello_received) return absl::FailedPreconditionError(absl::StrFormat("second Hello from peer %d", from));
  absl::btree_map<uint64_t, uint64_t> held;
  for (const wire::EventName& name : hello.held()) MarkHeld(&held, name.agent(), name.seq());
  const auto said = held.find(agent());
  const uint64_t said_own = agent() == 0 || said == held.end() ? 0 : said->second;
  if (said_own > NextOwnSeq()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "Hello from peer %d claims events of agent %d up to %d, which peer %d made only up to %d", from, agent(),
        said_own, id(), NextOwnSeq()));
  }
  const std::vector<LvSpan> missing = MissingFrom(held);
  neighbour.hello_received = true;
  neighbour.lacked_own_events = said_own < NextOwnSeq();
  std::vector<wire::Batch> batches = doc().Export(missing);
  // After this catch-up it holds what it said and everything held here.
  neighbour.known = std::move(held);
  for (const auto& [agent_key, next] : HeldVersion()) MarkHeld(&neighbour.known, agent_key, next);
  wire::PeerMessage catch_up;
  catch_up.mutable_catch_up()->set_chunks(batches.size());
  Post(from, catch_up.SerializeAsString());
  for (wire::Batch& batch : batches) {
    wire::PeerMessage message;
    *message.mutable_events() = std::move(batch);
    Post(from, message.SerializeAsString());
  }
  return absl::OkStatus();
}

absl::Status EgwalkerPeer::HandleEvents(ReplicaId from, Neighbour& neighbour, const wire::Batch& batch) {
  absl::StatusOr<std::optional<wire::Batch>> transfer = neighbour.incoming.Add(batch);
  if (!transfer.ok()) return transfer.status();
  if (!transfer->has_value()) {
    if (neighbour.chunks_expected > 0) --neighbour.chunks_expected;
    return absl::OkStatus();
  }
  EgwalkerDocument::MergeReport report;
  if (absl::Status status = MergeTransfer(**transfer, &report); !status.ok()) return status;
  known_events_ += report.known_events;
  std::set<uint64_t> first_hand;  // agents whose author sent them here
  for (const wire::EventRun& run : (*transfer)->runs()) {
    MarkHeld(&neighbour.known, run.agent(), run.seq() + RunEvents(run));  // the sender holds what it sends
    if (run.intent_replica() == from) first_hand.insert(run.agent());
  }
  if (neighbour.chunks_expected > 0) {
    for (const LvSpan& span : report.added) neighbour.catch_up_events += span.size();
    if (--neighbour.chunks_expected == 0) NoteCatchUp(neighbour.catch_up_events, neighbour.lacked_own_events);
  }
  const EventGraph& graph = doc().document().graph();
  for (uint64_t agent : first_hand) {
    wire::PeerMessage ack;
    ack.mutable_ack()->set_agent(agent);
    ack.mutable_ack()->set_next_seq(graph.NextSeq(*graph.FindAgent(agent)));
    Post(from, ack.SerializeAsString());
  }
  std::vector<LvSpan> fresh;
  for (const LvSpan& span : report.added) {
    if (span.size() > 0) fresh.push_back(span);
  }
  Spread(fresh, from);
  return absl::OkStatus();
}

absl::Status EgwalkerPeer::HandleAck(ReplicaId from, Neighbour& neighbour, const wire::Ack& ack) {
  const EventGraph& graph = doc().document().graph();
  const std::optional<uint32_t> acked = graph.FindAgent(ack.agent());
  if (!acked.has_value() || ack.next_seq() > graph.NextSeq(*acked)) {
    return absl::InvalidArgumentError(absl::StrFormat("peer %d acknowledged (%d, %d), past what peer %d holds", from,
                                                      ack.agent(), ack.next_seq(), id()));
  }
  MarkHeld(&neighbour.known, ack.agent(), ack.next_seq());
  if (ack.agent() == agent()) Acknowledge(ack.next_seq());
  return absl::OkStatus();
}

void EgwalkerPeer::SendOwn(uint64_t first_seq) { Spread(OwnSpansFrom(first_seq), kServerReplica); }

void EgwalkerPeer::Spread(const std::vector<LvSpan>& spans, ReplicaId from) {
  if (spans.empty()) return;
  for (auto& [to, neighbour] : neighbours_) {
    if (to != from && neighbour.hello_received) Send(to, neighbour, spans);
  }
}

void EgwalkerPeer::Send(ReplicaId to, Neighbour& neighbour, const std::vector<LvSpan>& spans) {
  const EventGraph& graph = doc().document().graph();
  std::vector<LvSpan> lacking;
  for (const LvSpan& span : spans) {
    for (Lv lv = span.start; lv < span.end;) {
      const Lv end = std::min(span.end, graph.RunEnd(lv));
      const EventId event = graph.IdOf(lv);
      const uint64_t key = graph.AgentKey(event.agent);
      const auto held = neighbour.known.find(key);
      const uint64_t held_next = held == neighbour.known.end() ? 0 : held->second;
      // Events lv .. end - 1 are seqs event.seq ..; those below held_next are there.
      const Lv first = held_next > event.seq ? lv + std::min<uint64_t>(end - lv, held_next - event.seq) : lv;
      if (first < end) {
        if (!lacking.empty() && lacking.back().end == first) {
          lacking.back().end = end;
        } else {
          lacking.push_back(LvSpan{first, end});
        }
        MarkHeld(&neighbour.known, key, event.seq + (end - lv));
      }
      lv = end;
    }
  }
  if (lacking.empty()) return;
  for (wire::Batch& batch : doc().Export(lacking)) {
    wire::PeerMessage message;
    *message.mutable_events() = std::move(batch);
    Post(to, message.SerializeAsString());
  }
}

void EgwalkerPeer::OnConnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer != kServerReplica && peer != id() && !neighbours_.contains(peer));
  neighbours_.emplace(peer, Neighbour{});
  wire::PeerMessage hello;
  hello.mutable_hello()->set_agent(agent());
  for (const auto& [agent_key, next] : HeldVersion()) {
    wire::EventName* name = hello.mutable_hello()->add_held();
    name->set_agent(agent_key);
    name->set_seq(next);
  }
  Post(peer, hello.SerializeAsString());
}

void EgwalkerPeer::OnDisconnected(ReplicaId peer) { COLLABSIM_CHECK(neighbours_.erase(peer) == 1); }

ReplicaStats EgwalkerPeer::Stats() const {
  ReplicaStats stats = EditorStats();
  for (const auto& [peer, neighbour] : neighbours_) {
    stats.memory.buffered_bytes += neighbour.incoming.BufferedBytes();
    stats.memory.metadata_bytes += neighbour.known.size() * 2 * sizeof(uint64_t);
  }
  // Every peer merges every event, so these count once per peer.
  AddMergeProbes(doc(), known_events_, &stats.probes);
  return stats;
}

absl::StatusOr<std::unique_ptr<EgwalkerPeer>> EgwalkerPeer::Restore(ReplicaId id, std::string_view durable_state,
                                                                    const EngineOptions& options) {
  wire::DurableState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable Eg-walker peer state");
  }
  auto peer = std::make_unique<EgwalkerPeer>(id, options);
  if (absl::Status status = peer->RestoreEditor(state); !status.ok()) return status;
  return peer;
}

}  // namespace collabsim::egwalker
