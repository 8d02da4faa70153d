// The change log: append, what a version vector lacks, encode and replay
// (see change_log.h).
#include "engines/crdt/change_log.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/crdt/wire_batch.h"

namespace collabsim::crdt {

void ChangeLog::Append(Change change) {
  COLLABSIM_CHECK(log_.size() < UINT32_MAX);
  by_agent_[change.id.agent].emplace_back(change.id.counter, static_cast<uint32_t>(log_.size()));
  bytes_ += change.Bytes() + sizeof(std::pair<uint64_t, uint32_t>);
  log_.push_back(std::move(change));
}

absl::StatusOr<std::vector<const Change*>> ChangeLog::MissingFrom(const VersionVector& version, ReplicaId who) const {
  // Per agent, the changes from the replica's next counter on; then all of
  // them in log order, which is causal.
  std::vector<uint32_t> missing;
  for (const auto& [agent, changes] : by_agent_) {
    const uint64_t next = version.Next(agent);
    auto it = std::lower_bound(changes.begin(), changes.end(), std::pair<uint64_t, uint32_t>{next, 0});
    // A change straddling `next` means the replica holds part of a change.
    if (it != changes.begin()) {
      const Change& before = log_[std::prev(it)->second];
      if (before.id.counter + before.Span() > next) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "replica %d claims agent %d up to %d, inside change %d.%d", who, agent, next, agent, before.id.counter));
      }
    }
    for (; it != changes.end(); ++it) missing.push_back(it->second);
  }
  std::sort(missing.begin(), missing.end());
  std::vector<const Change*> changes;
  changes.reserve(missing.size());
  for (uint32_t index : missing) changes.push_back(&log_[index]);
  return changes;
}

void ChangeLog::CheckInvariants(const VersionVector& version) const {
  const bool full = full_check_.Due();
  size_t indexed = 0;
  for (const auto& [agent, changes] : by_agent_) {
    for (size_t k = full ? 0 : changes.size() - 1; k < changes.size(); ++k) {
      const Change& change = log_[changes[k].second];
      COLLABSIM_CHECK(change.id.agent == agent && change.id.counter == changes[k].first);
      if (k > 0) {
        const Change& previous = log_[changes[k - 1].second];
        COLLABSIM_CHECK(previous.id.counter + previous.Span() <= changes[k].first);
      }
    }
    COLLABSIM_CHECK(changes.back().first + log_[changes.back().second].Span() == version.Next(agent));
    indexed += changes.size();
  }
  COLLABSIM_CHECK(indexed == log_.size());
}

void ChangeLog::Encode(google::protobuf::RepeatedPtrField<wire::Op>* out) const {
  for (const Change& change : log_) EncodeChange(change, out->Add());
}

absl::Status ChangeLog::Replay(const google::protobuf::RepeatedPtrField<wire::Op>& ops, CausalDoc* doc) {
  COLLABSIM_CHECK(log_.empty());
  absl::StatusOr<std::vector<Change>> changes = DecodeBatch(ops);
  if (!changes.ok()) return changes.status();
  for (size_t k = 0; k < changes->size(); ++k) {
    std::vector<Change> one{std::move((*changes)[k])};
    if (absl::Status status = doc->CheckBatch(one); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("log entry %d: %s", k + 1, status.message()));
    }
    CausalDoc::Delivery delivery = doc->Deliver(std::move(one));
    if (delivery.applied.size() != 1) {
      return absl::InvalidArgumentError(
          absl::StrFormat("log entry %d is a repeat or comes before what it depends on", k + 1));
    }
    Append(std::move(delivery.applied.front()));
  }
  return absl::OkStatus();
}

}  // namespace collabsim::crdt
