// Direct-delivery replays of editing traces (see trace_replay.h).
#include "apps/trace_replay.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "apps/wall_timer.h"
#include "engines/common/utf8.h"

namespace collabsim::apps {
namespace {

absl::Status RunsPastEnd(size_t t, size_t p, const sim::TracePatch& patch, uint64_t length) {
  return absl::InvalidArgumentError(absl::StrFormat("txns[%d].patches[%d]: [%d, %d] runs past the end of the document (%d characters)", t, p, patch.position,
                                                    patch.delete_count, length));
}

// Splices into `doc` (std::string or std::u32string); `decode` turns a
// patch's UTF-8 into the document's characters.
template <typename Text, typename Decode>
absl::Status Splice(const sim::EditingTrace& trace, Text* doc, Decode decode) {
  for (size_t t = 0; t < trace.txns.size(); ++t) {
    for (size_t p = 0; p < trace.txns[t].patches.size(); ++p) {
      const sim::TracePatch& patch = trace.txns[t].patches[p];
      if (patch.position > doc->size() || patch.delete_count > doc->size() - patch.position) {
        return RunsPastEnd(t, p, patch, doc->size());
      }
      doc->replace(patch.position, patch.delete_count, decode(patch.insert));
    }
  }
  return absl::OkStatus();
}

}  // namespace

DirectRelay::DirectRelay(const Engine& engine)
    : engine_(engine),
      server_(engine.traits().topology == Topology::kMesh ? nullptr : engine.CreateServer(EngineOptions{})) {}

Replica& DirectRelay::AddClient(ReplicaId id) {
  clients_.push_back(Client{engine_.CreateClient(id, EngineOptions{}), 0});
  Replica& replica = *clients_.back().replica;
  if (server_ == nullptr) {  // a mesh: the new peer connects to every other
    for (size_t k = 0; k + 1 < clients_.size(); ++k) {
      clients_[k].replica->Connected(id);
      replica.Connected(clients_[k].replica->id());
    }
    return replica;
  }
  server_->Connected(id);
  replica.Connected(kServerReplica);
  return replica;
}

absl::Status DirectRelay::Deliver(ReplicaId from, const OutgoingMessage& message) {
  if (message.to == kServerReplica) {
    const absl::Status s = server_->Receive(from, message.bytes);
    return s.ok() ? s : absl::Status(s.code(), absl::StrFormat("server: %s", s.message()));
  }
  Client& to = clients_.at(message.to - 1);
  const auto start = WallClock::now();
  const absl::Status s = to.replica->Receive(from, message.bytes);
  to.ms += MsSince(start);
  return s.ok() ? s : absl::Status(s.code(), absl::StrFormat("client %d: %s", message.to, s.message()));
}

absl::Status DirectRelay::Pump() {
  for (bool any = true; any;) {
    any = false;
    for (Client& c : clients_) {
      for (OutgoingMessage& m : c.replica->TakeOutbox()) {
        any = true;
        if (absl::Status s = Deliver(c.replica->id(), m); !s.ok()) return s;
      }
    }
    if (server_ == nullptr) continue;
    for (OutgoingMessage& m : server_->TakeOutbox()) {
      any = true;
      if (absl::Status s = Deliver(kServerReplica, m); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status DirectRelay::ReplayLocally(const sim::EditingTrace& trace, ReplicaId id) {
  Client& writer = clients_.at(id - 1);
  uint64_t seq = 0;
  for (const sim::TraceTxn& txn : trace.txns) {
    const auto start = WallClock::now();
    for (const sim::TracePatch& patch : txn.patches) {
      absl::Status status;
      if (patch.delete_count > 0) {
        status = writer.replica->ApplyLocal(Intent{IntentId{id, ++seq}, DeleteText{patch.position, patch.delete_count}});
      }
      if (status.ok() && !patch.insert.empty()) {
        status = writer.replica->ApplyLocal(Intent{IntentId{id, ++seq}, InsertText{patch.position, patch.insert}});
      }
      if (!status.ok()) {
        writer.ms += MsSince(start);
        return absl::Status(status.code(), absl::StrFormat("the engine refused a patch: %s", status.message()));
      }
    }
    writer.ms += MsSince(start);
    if (absl::Status s = Pump(); !s.ok()) return s;  // acks and the like
  }
  return absl::OkStatus();
}

bool EveryCharacterIsAscii(const sim::EditingTrace& trace) {
  auto ascii = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  };
  if (!ascii(trace.start_content)) return false;
  for (const sim::TraceTxn& txn : trace.txns) {
    for (const sim::TracePatch& patch : txn.patches) {
      if (!ascii(patch.insert)) return false;
    }
  }
  return true;
}

absl::StatusOr<std::string> ReplaySplices(const sim::EditingTrace& trace) {
  if (EveryCharacterIsAscii(trace)) {
    std::string doc = trace.start_content;
    if (absl::Status s = Splice(trace, &doc, [](const std::string& text) -> const std::string& { return text; });
        !s.ok()) {
      return s;
    }
    return doc;
  }
  absl::StatusOr<std::u32string> start = DecodeUtf8(trace.start_content);
  if (!start.ok()) return start.status();
  std::u32string doc = *std::move(start);
  // Inserts were validated as UTF-8 when the trace was loaded.
  if (absl::Status s = Splice(trace, &doc, [](const std::string& text) { return *DecodeUtf8(text); }); !s.ok()) {
    return s;
  }
  return EncodeUtf8(doc);
}

}  // namespace collabsim::apps
