// Causal delivery over a sequence (see causal_doc.h).
#include "engines/crdt/causal_doc.h"

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"

namespace collabsim::crdt {

CausalDoc::CausalDoc(Integration integration) : sequence_(std::make_unique<Sequence>(integration)) {}

CausalDoc::CausalDoc(std::unique_ptr<Sequence> sequence, VersionVector version)
    : sequence_(std::move(sequence)), version_(std::move(version)) {}

bool CausalDoc::Ready(const Change& change) const {
  if (change.id.counter != version_.Next(change.id.agent)) return false;
  return std::visit([this](const auto& op) { return sequence_->Ready(op); }, change.body);
}

void CausalDoc::Apply(const Change& change) {
  const absl::Status status = std::visit([this](const auto& op) { return sequence_->Apply(op); }, change.body);
  COLLABSIM_CHECK(status.ok());  // ready and checked: the sequence cannot refuse it
  version_.Set(change.id.agent, change.id.counter + change.Span());
}

Change CausalDoc::InsertOwn(IntentId intent, uint64_t agent, uint64_t position, std::u32string text) {
  Change change;
  change.intent = intent;
  change.id = ItemId{agent, version_.Next(agent)};
  change.body = sequence_->InsertLocal(agent, change.id.counter, position, std::move(text));
  version_.Set(agent, change.id.counter + change.Span());
  return change;
}

Change CausalDoc::DeleteOwn(IntentId intent, uint64_t agent, uint64_t position, uint64_t length) {
  Change change;
  change.intent = intent;
  change.id = ItemId{agent, version_.Next(agent)};
  change.body = sequence_->DeleteLocal(position, length);
  version_.Set(agent, change.id.counter + change.Span());
  return change;
}

const Change* CausalDoc::BufferedOverlap(uint64_t agent, uint64_t counter, uint64_t span) const {
  auto it = buffer_.upper_bound(Key{agent, counter});
  if (it != buffer_.end() && it->first.first == agent && it->first.second < counter + span) return &it->second;
  if (it == buffer_.begin()) return nullptr;
  --it;
  if (it->first.first == agent && it->first.second + it->second.Span() > counter) return &it->second;
  return nullptr;
}

absl::Status CausalDoc::CheckBatch(const std::vector<Change>& batch) const {
  // Only changes that are not their agent's next can end up buffered.
  uint64_t maybe_buffered = 0;
  for (const Change& change : batch) maybe_buffered += change.id.counter != version_.Next(change.id.agent);
  if (buffer_.size() + maybe_buffered > kMaxBuffered) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "causal buffer full: %d changes wait for missing dependencies, limit %d", buffer_.size(), kMaxBuffered));
  }
  // What the batch itself adds, per agent: exact spans by first counter.
  std::map<Key, uint64_t> claimed;
  for (const Change& change : batch) {
    const uint64_t agent = change.id.agent, counter = change.id.counter, span = change.Span();
    const uint64_t next = version_.Next(agent);
    if (counter + span <= next) continue;  // held already
    if (counter < next) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "change %d.%d (+%d) overlaps changes already held up to %d", agent, counter, span, next));
    }
    if (const Change* held = BufferedOverlap(agent, counter, span)) {
      if (held->id.counter != counter || held->Span() != span) {
        return absl::InvalidArgumentError(absl::StrFormat("change %d.%d (+%d) overlaps buffered change %d.%d (+%d)",
                                                          agent, counter, span, agent, held->id.counter, held->Span()));
      }
      continue;
    }
    auto it = claimed.upper_bound(Key{agent, counter});
    const bool overlaps_next = it != claimed.end() && it->first.first == agent && it->first.second < counter + span;
    bool overlaps_prev = false, exact = false;
    if (it != claimed.begin()) {
      const auto prev = std::prev(it);
      overlaps_prev = prev->first.first == agent && prev->first.second + prev->second > counter;
      exact = prev->first == Key{agent, counter} && prev->second == span;
    }
    if (exact) continue;
    if (overlaps_next || overlaps_prev) {
      return absl::InvalidArgumentError(
          absl::StrFormat("change %d.%d (+%d) overlaps another change in the same message", agent, counter, span));
    }
    claimed.emplace(Key{agent, counter}, span);
  }
  return absl::OkStatus();
}

CausalDoc::Delivery CausalDoc::Deliver(std::vector<Change> batch) {
  Delivery delivery;
  for (Change& change : batch) {
    const uint64_t next = version_.Next(change.id.agent);
    if (change.id.counter + change.Span() <= next || buffer_.contains(Key{change.id.agent, change.id.counter})) {
      ++delivery.duplicates;
      continue;
    }
    COLLABSIM_CHECK(change.id.counter >= next);  // CheckBatch refused partial overlaps
    if (Ready(change)) {
      Apply(change);
      delivery.applied.push_back(std::move(change));
      Drain(&delivery);
    } else {
      ++delivery.buffered;
      const Key key{change.id.agent, change.id.counter};
      buffer_.emplace(key, std::move(change));
    }
  }
  return delivery;
}

void CausalDoc::Drain(Delivery* delivery) {
  bool progress = !buffer_.empty();
  while (progress) {
    progress = false;
    for (auto it = buffer_.begin(); it != buffer_.end();) {
      if (!Ready(it->second)) {
        ++it;
        continue;
      }
      Apply(it->second);
      delivery->applied.push_back(std::move(it->second));
      it = buffer_.erase(it);
      progress = true;
    }
  }
}

uint64_t CausalDoc::BufferedBytes() const {
  uint64_t bytes = 0;
  for (const auto& [key, change] : buffer_) bytes += change.Bytes() + sizeof(Key);
  return bytes;
}

void CausalDoc::CheckInvariants() const {
  sequence_->CheckInvariants();
  const Change* previous = nullptr;
  for (const auto& [key, change] : buffer_) {
    COLLABSIM_CHECK(key.first == change.id.agent && key.second == change.id.counter);
    COLLABSIM_CHECK(key.second >= version_.Next(key.first));
    if (previous != nullptr && previous->id.agent == key.first) {
      COLLABSIM_CHECK(previous->id.counter + previous->Span() <= key.second);
    }
    previous = &change;
  }
}

MemoryStats DocumentMemory(const CausalDoc& doc, uint64_t other_version_entries) {
  const Sequence& sequence = doc.sequence();
  MemoryStats memory;
  memory.content_bytes = sequence.ContentBytes();
  memory.metadata_bytes =
      sequence.MetadataBytes() + (doc.version().size() + other_version_entries) * 2 * sizeof(uint64_t);
  memory.tombstone_bytes = sequence.TombstoneBytes();
  memory.buffered_bytes = doc.BufferedBytes();
  return memory;
}

void AddMergeProbes(const CausalDoc& doc, uint64_t duplicates, std::map<std::string, uint64_t, std::less<>>* probes) {
  const Sequence::Counts& counts = doc.sequence().counts();
  (*probes)[std::string(probes::kConcurrentInsertSamePosition)] = counts.concurrent_siblings;
  (*probes)[std::string(probes::kDeleteDeleteOverlap)] = counts.deleted_twice;
  (*probes)[std::string(probes::kInsertIntoDeletedRange)] = counts.insert_after_tombstone;
  (*probes)[std::string(probes::kDuplicateResendRecognised)] = duplicates;
}

}  // namespace collabsim::crdt
