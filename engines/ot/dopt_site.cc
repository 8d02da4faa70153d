// The dOPT site: local requests, the wrong-context transformation, causal
// queue, and the peer transport (see dopt_site.h).
#include "engines/ot/dopt_site.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/common/utf8.h"

namespace collabsim::dopt {

DoptSite::DoptSite(ReplicaId id) : Replica(id) { COLLABSIM_CHECK(id != kServerReplica); }

uint64_t DoptSite::Count(const StateVector& state, ReplicaId site) {
  auto it = state.find(site);
  return it == state.end() ? 0 : it->second;
}

absl::Status DoptSite::ApplyLocal(const Intent& intent) {
  if (absl::Status own = ValidateOwnIntent(id(), intent); !own.ok()) return own;
  if (IsObjectIntent(intent.body)) return absl::UnimplementedError("ot-dopt edits text only (no canvas)");
  absl::StatusOr<std::u32string> text = CheckTextIntent(intent.body, text_.size());
  if (!text.ok()) return text.status();
  DoptOp op;
  if (const auto* move = std::get_if<MoveCursor>(&intent.body)) {
    cursor_ = move->position;
    return absl::OkStatus();
  }
  if (const auto* insert = std::get_if<InsertText>(&intent.body)) {
    cursor_ = insert->position + text->size();
    op = DoptInsert{insert->position, *std::move(text)};
  } else {
    const auto& del = std::get<DeleteText>(intent.body);
    cursor_ = del.position;
    op = DoptDelete{{DeleteRange{del.position, del.length}}};
  }
  const Request request{id(), Count(state_, id()) + 1, state_, intent.id.seq, std::move(op)};
  Execute(request);
  Spread(generated_.size() - 1, kServerReplica);
  return absl::OkStatus();
}

void DoptSite::Execute(const Request& request) {
  DoptOp op = request.op;
  for (const Executed& logged : log_) {
    // dOPT: transform past every logged request the context had not seen.
    if (logged.number > Count(request.context, logged.site)) op = Transform(op, request.site, logged.op, logged.site);
  }
  Apply(op, &text_);
  log_.push_back(Executed{request.site, request.number, std::move(op)});
  state_[request.site] = request.number;
  generated_.push_back(request);
  if (request.site != id()) visible_.push_back(IntentId{request.site, request.intent_seq});
}

absl::StatusOr<DoptSite::Request> DoptSite::Decode(const wire::Request& in) {
  Request out;
  if (in.site() == kServerReplica || in.number() == 0 || in.intent_seq() == 0) {
    return absl::InvalidArgumentError(absl::StrFormat("request %d.%d: site, number and intent must be non-zero",
                                                      in.site(), in.number()));
  }
  out.site = in.site();
  out.number = in.number();
  out.intent_seq = in.intent_seq();
  ReplicaId previous = 0;
  for (const wire::StateEntry& e : in.context()) {
    if (e.site() <= previous || e.count() == 0) {
      return absl::InvalidArgumentError(absl::StrFormat("request %d.%d: context not sorted, repeated or zero",
                                                        in.site(), in.number()));
    }
    previous = e.site();
    out.context[e.site()] = e.count();
  }
  if (Count(out.context, out.site) + 1 != out.number) {
    return absl::InvalidArgumentError(absl::StrFormat("request %d.%d: its context counts %d of its own site",
                                                      in.site(), in.number(), Count(out.context, out.site)));
  }
  switch (in.op_case()) {
    case wire::Request::kInsert: {
      absl::StatusOr<std::u32string> text = DecodeUtf8(in.insert().text());
      if (!text.ok()) return text.status();
      if (text->empty()) return absl::InvalidArgumentError("empty insert");
      out.op = DoptInsert{in.insert().position(), *std::move(text)};
      return out;
    }
    case wire::Request::kDelete: {
      DoptDelete del;
      for (const wire::Range& r : in.delete_().ranges()) {
        const bool overlaps = !del.ranges.empty() && del.ranges.back().position + del.ranges.back().length > r.position();
        if (r.length() == 0 || overlaps || r.position() + r.length() < r.position()) {
          return absl::InvalidArgumentError("delete ranges empty, overlapping or out of order");
        }
        del.ranges.push_back({r.position(), r.length()});
      }
      if (del.ranges.empty()) return absl::InvalidArgumentError("delete of nothing");
      out.op = std::move(del);
      return out;
    }
    case wire::Request::OP_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("request with no op");
}

void DoptSite::Encode(const Request& request, wire::Request* out) {
  out->set_site(request.site);
  out->set_number(request.number);
  out->set_intent_seq(request.intent_seq);
  for (const auto& [site, count] : request.context) {
    if (count == 0) continue;
    wire::StateEntry* e = out->add_context();
    e->set_site(site);
    e->set_count(count);
  }
  if (const auto* insert = std::get_if<DoptInsert>(&request.op)) {
    out->mutable_insert()->set_position(insert->position);
    out->mutable_insert()->set_text(EncodeUtf8(insert->text));
    return;
  }
  for (const DeleteRange& r : std::get<DoptDelete>(request.op).ranges) {
    wire::Range* range = out->mutable_delete_()->add_ranges();
    range->set_position(r.position);
    range->set_length(r.length);
  }
}

absl::Status DoptSite::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  auto it = neighbours_.find(from);
  if (it == neighbours_.end()) {
    return absl::FailedPreconditionError(absl::StrFormat("dOPT site %d got a message from %d, not a connected peer",
                                                         id(), from));
  }
  Neighbour& neighbour = it->second;
  wire::PeerMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(absl::StrFormat("undecodable dOPT message from %d", from));
  }
  switch (message.body_case()) {
    case wire::PeerMessage::kHello: {
      if (neighbour.hello_received) return absl::FailedPreconditionError("second Hello");
      StateVector state;
      for (const wire::StateEntry& e : message.hello().state()) state[e.site()] = e.count();
      neighbour.hello_received = true;
      neighbour.known = std::move(state);
      std::vector<size_t> lacking;
      for (size_t k = 0; k < generated_.size(); ++k) {
        if (generated_[k].number > Count(neighbour.known, generated_[k].site)) lacking.push_back(k);
      }
      Send(from, neighbour, lacking);
      return absl::OkStatus();
    }
    case wire::PeerMessage::kRequests: {
      if (!neighbour.hello_received) return absl::FailedPreconditionError("requests before Hello");
      std::vector<Request> batch;
      for (const wire::Request& in : message.requests().requests()) {
        absl::StatusOr<Request> request = Decode(in);
        if (!request.ok()) return request.status();
        batch.push_back(*std::move(request));
      }
      if (queue_.size() + batch.size() > kMaxQueued) return absl::ResourceExhaustedError("dOPT request queue full");
      for (Request& request : batch) {
        uint64_t& known = neighbour.known[request.site];
        known = std::max(known, request.number);
        const auto key = std::make_pair(request.site, request.number);
        if (request.number <= Count(state_, request.site) || queue_.contains(key)) {
          ++duplicates_;
          continue;
        }
        queue_.emplace(key, std::move(request));
      }
      Drain(from);
      return absl::OkStatus();
    }
    case wire::PeerMessage::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrFormat("dOPT message with no body from %d", from));
}

void DoptSite::Drain(ReplicaId from) {
  const size_t first = generated_.size();
  for (bool progress = true; progress;) {
    progress = false;
    for (auto it = queue_.begin(); it != queue_.end();) {
      const Request& request = it->second;
      bool ready = request.number == Count(state_, request.site) + 1;
      for (const auto& [site, count] : request.context) ready = ready && count <= Count(state_, site);
      if (!ready) {
        ++it;
        continue;
      }
      Execute(request);
      it = queue_.erase(it);
      progress = true;
    }
  }
  if (generated_.size() > first) Spread(first, from);
}

void DoptSite::Spread(size_t first, ReplicaId except) {
  for (auto& [to, neighbour] : neighbours_) {
    if (to == except || !neighbour.hello_received) continue;
    std::vector<size_t> lacking;
    for (size_t k = first; k < generated_.size(); ++k) {
      if (generated_[k].number > Count(neighbour.known, generated_[k].site)) lacking.push_back(k);
    }
    Send(to, neighbour, lacking);
  }
}

void DoptSite::Send(ReplicaId to, Neighbour& neighbour, const std::vector<size_t>& requests) {
  for (size_t start = 0; start < requests.size(); start += kRequestsPerMessage) {
    wire::PeerMessage message;
    const size_t end = std::min(requests.size(), start + kRequestsPerMessage);
    for (size_t k = start; k < end; ++k) {
      const Request& request = generated_[requests[k]];
      Encode(request, message.mutable_requests()->add_requests());
      uint64_t& known = neighbour.known[request.site];
      known = std::max(known, request.number);
    }
    outbox_.push_back(OutgoingMessage{to, message.SerializeAsString()});
  }
}

void DoptSite::OnConnected(ReplicaId peer) {
  COLLABSIM_CHECK(peer != kServerReplica && peer != id() && !neighbours_.contains(peer));
  neighbours_.emplace(peer, Neighbour{});
  wire::PeerMessage hello;
  wire::Hello* body = hello.mutable_hello();  // set even when nothing is held yet
  for (const auto& [site, count] : state_) {
    wire::StateEntry* e = body->add_state();
    e->set_site(site);
    e->set_count(count);
  }
  outbox_.push_back(OutgoingMessage{peer, hello.SerializeAsString()});
}

void DoptSite::OnDisconnected(ReplicaId peer) { COLLABSIM_CHECK(neighbours_.erase(peer) == 1); }

View DoptSite::GetView() const {
  View view;
  view.text = text_.ToUtf8();
  view.cursors[id()] = OwnCursor();
  return view;
}

ReplicaStats DoptSite::Stats() const {
  ReplicaStats stats;
  stats.memory.content_bytes = text_.AllocatedBytes();
  stats.memory.metadata_bytes = state_.size() * 2 * sizeof(uint64_t);
  stats.memory.history_bytes = (log_.size() + generated_.size()) * (sizeof(Executed) + sizeof(Request));
  stats.memory.buffered_bytes = queue_.size() * sizeof(Request);
  stats.probes[std::string(probes::kDuplicateResendRecognised)] = duplicates_;
  return stats;
}

void DoptSite::CheckInvariants() const {
  text_.CheckInvariants();
  COLLABSIM_CHECK(log_.size() == generated_.size());
  uint64_t executed = 0;
  for (const auto& [site, count] : state_) executed += count;
  COLLABSIM_CHECK(executed == log_.size());
  for (const auto& [key, request] : queue_) {
    COLLABSIM_CHECK(key.first == request.site && key.second == request.number);
    COLLABSIM_CHECK(request.number > Count(state_, request.site));
  }
}

}  // namespace collabsim::dopt
