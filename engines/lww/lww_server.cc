// LWW server: arrival order decides, acks and broadcasts, snapshots on
// connect, exactly-once application by client_seq (see lww_server.h).
#include "engines/lww/lww_server.h"

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"

namespace collabsim::lww {

LwwServer::LwwServer(Granularity granularity) : Replica(kServerReplica), doc_(granularity) {}

absl::Status LwwServer::ApplyLocal(const Intent& /*intent*/) {
  return absl::FailedPreconditionError("the LWW server has no user of its own");
}

absl::Status LwwServer::ReceiveMessage(ReplicaId from, std::string_view bytes) {
  if (from == kServerReplica) return absl::InvalidArgumentError("LWW server got a message from itself");
  wire::ClientMessage message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("undecodable LWW client message");
  }
  if (message.kind_case() != wire::ClientMessage::kSubmit) {
    return absl::InvalidArgumentError("LWW client message with no body");
  }
  // Decode and check the whole batch before applying any of it.
  std::vector<Change> changes;
  uint64_t expected = applied_through_[from] + 1;
  for (const wire::Change& w : message.submit().changes()) {
    absl::StatusOr<Change> change = DecodeChange(w, doc_);
    if (!change.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("client %d change %d: %s", from, w.client_seq(),
                                                        change.status().message()));
    }
    if (change->base_revision > revision_) {
      return absl::InvalidArgumentError(absl::StrFormat("client %d change %d made against revision %d, beyond %d",
                                                        from, change->client_seq, change->base_revision, revision_));
    }
    if (change->client_seq >= expected) {
      if (change->client_seq != expected) {
        return absl::InvalidArgumentError(absl::StrFormat("client %d change %d skips changes after %d", from,
                                                          change->client_seq, expected - 1));
      }
      ++expected;
    }
    changes.push_back(*std::move(change));
  }
  for (const Change& change : changes) {
    if (change.client_seq <= applied_through_[from]) {  // a resend of what is already applied
      ++probes_[std::string(probes::kDuplicateResendRecognised)];
      continue;
    }
    ApplyChange(from, change);
  }
  return absl::OkStatus();
}

bool LwwServer::OrderWrite(ReplicaId from, const Change& change, size_t k, Change* applied, wire::Ack* ack) {
  const Write& write = change.writes[k];
  if (IsCanvasObject(write.key.object) && write.key.property == kParentProperty &&
      doc_.canvas().MoveWouldDetach(write.key.object.substr(kCanvasPrefix.size()),
                                    std::get<std::string>(write.value))) {
    ack->add_rejected(static_cast<uint32_t>(k));
    ++probes_[std::string(probes::kMoveRejected)];
    return false;
  }
  Meta& meta = meta_[write.key];
  const bool overwrote_unseen = meta.revision > change.base_revision && meta.writer != from;
  doc_.Apply(write);
  meta = Meta{revision_, from, change.intents};
  applied->writes.push_back(write);
  return overwrote_unseen;
}

void LwwServer::ApplyChange(ReplicaId from, const Change& change) {
  ++revision_;
  bool overwrote_unseen = false;
  Change applied = change;
  applied.writes.clear();
  wire::ServerMessage ack;
  ack.mutable_ack()->set_client_seq(change.client_seq);
  ack.mutable_ack()->set_revision(revision_);
  for (size_t k = 0; k < change.writes.size(); ++k) {
    overwrote_unseen = OrderWrite(from, change, k, &applied, ack.mutable_ack()) || overwrote_unseen;
  }
  if (overwrote_unseen) ++probes_[std::string(probes::kConcurrentWriteOverwritten)];
  if (!change.edit.block.empty()) {
    LastEdit& last = last_edit_[change.edit.block];
    if (last.revision > change.base_revision && last.writer != from && !last.edit.is_delete &&
        !change.edit.is_delete && last.edit.offset == change.edit.offset) {
      ++probes_[std::string(probes::kConcurrentInsertSamePosition)];
    }
    last = LastEdit{revision_, from, change.edit};
  }
  applied_through_[from] = change.client_seq;
  applied_intents_.insert(applied_intents_.end(), change.intents.begin(), change.intents.end());
  visible_.insert(visible_.end(), change.intents.begin(), change.intents.end());

  if (synced_.contains(from)) Send(from, ack);
  wire::ServerMessage broadcast;
  broadcast.mutable_broadcast()->set_revision(revision_);
  broadcast.mutable_broadcast()->set_origin(from);
  EncodeChange(applied, broadcast.mutable_broadcast()->mutable_change());
  for (ReplicaId client : synced_) {
    if (client != from) Send(client, broadcast);
  }
}

void LwwServer::OnConnected(ReplicaId peer) {
  synced_.insert(peer);
  wire::ServerMessage message;
  wire::Snapshot* snapshot = message.mutable_snapshot();
  snapshot->set_revision(revision_);
  snapshot->set_applied_through(applied_through_[peer]);
  doc_.ForEachRegister([&](const PropertyKey& key, const PropertyValue& value) {
    const auto meta = meta_.find(key);
    const Meta& m = meta == meta_.end() ? Meta{} : meta->second;
    EncodeRegister(key, Register{value, m.revision, m.intents, m.stamp}, snapshot->add_registers());
  });
  Send(peer, message);
}

void LwwServer::OnDisconnected(ReplicaId peer) { synced_.erase(peer); }

View LwwServer::GetView() const { return View{doc_.text().Text(), {}, doc_.canvas().VisibleProperties()}; }

ReplicaStats LwwServer::Stats() const {
  ReplicaStats stats;
  stats.memory = doc_.Memory();
  for (const auto& [key, meta] : meta_) {
    stats.memory.metadata_bytes += sizeof(meta.revision) + sizeof(meta.writer) + meta.intents.size() * sizeof(IntentId);
  }
  stats.memory.metadata_bytes += applied_through_.size() * (sizeof(ReplicaId) + sizeof(uint64_t)) +
                                 last_edit_.size() * sizeof(LastEdit);
  // The applied-intent list stands in for what a real server would not
  // need (it exists for the durability check), so it is not counted.
  stats.probes.insert(probes_.begin(), probes_.end());
  return stats;
}

std::vector<OutgoingMessage> LwwServer::TakeOutbox() { return std::exchange(outbox_, {}); }

std::vector<IntentId> LwwServer::TakeNewlyVisible() { return std::exchange(visible_, {}); }

void LwwServer::Send(ReplicaId to, const wire::ServerMessage& message) {
  outbox_.push_back(OutgoingMessage{to, message.SerializeAsString()});
}

void LwwServer::CheckInvariants() const {
  doc_.CheckInvariants();
  for (ReplicaId client : synced_) COLLABSIM_CHECK(client != kServerReplica);
  if (!full_check_.Due()) return;
  COLLABSIM_CHECK(!doc_.canvas().HasCycle());
  for (const auto& [key, meta] : meta_) COLLABSIM_CHECK(meta.revision >= 1 && meta.revision <= revision_);
}

std::string LwwServer::DurableState() const {
  wire::ServerState state;
  state.set_revision(revision_);
  doc_.ForEachRegister([&](const PropertyKey& key, const PropertyValue& value) {
    const auto meta = meta_.find(key);
    const Meta& m = meta == meta_.end() ? Meta{} : meta->second;
    wire::Register* reg = state.add_registers();
    EncodeRegister(key, Register{value, m.revision, m.intents, m.stamp}, reg);
    if (m.writer != 0) reg->set_writer(m.writer);
  });
  for (const auto& [client, through] : applied_through_) {
    wire::ServerState::ClientRecord* record = state.add_clients();
    record->set_client(client);
    record->set_applied_through(through);
  }
  EncodeIntents(applied_intents_, state.mutable_applied_intents());
  return state.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<LwwServer>> LwwServer::Restore(std::unique_ptr<LwwServer> fresh,
                                                               std::string_view durable_state) {
  wire::ServerState state;
  if (!state.ParseFromArray(durable_state.data(), static_cast<int>(durable_state.size()))) {
    return absl::InvalidArgumentError("undecodable LWW server state");
  }
  std::unique_ptr<LwwServer> server = std::move(fresh);
  server->revision_ = state.revision();
  for (const wire::Register& stored : state.registers()) {
    absl::StatusOr<DecodedRegister> reg = DecodeRegister(stored, server->doc_, state.revision());
    if (!reg.ok()) return reg.status();
    server->doc_.Apply(Write{reg->key, reg->reg.value});
    if (reg->reg.revision > 0) {
      server->meta_[reg->key] =
          Meta{reg->reg.revision, reg->reg.stamp.writer, std::move(reg->reg.intents), reg->reg.stamp};
    }
  }
  for (const wire::ServerState::ClientRecord& record : state.clients()) {
    if (record.client() == kServerReplica) return absl::InvalidArgumentError("client record for the server");
    server->applied_through_[record.client()] = record.applied_through();
  }
  if (server->doc_.canvas().HasCycle()) return absl::InvalidArgumentError("stored object tree has a cycle");
  absl::StatusOr<std::vector<IntentId>> applied = DecodeIntents(state.applied_intents());
  if (!applied.ok()) return applied.status();
  server->applied_intents_ = *applied;
  server->visible_ = *std::move(applied);  // for the durability check
  return server;
}

}  // namespace collabsim::lww
