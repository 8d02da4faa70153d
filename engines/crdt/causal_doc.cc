// Causal delivery over a sequence (see causal_doc.h).
#include "engines/crdt/causal_doc.h"

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"

namespace collabsim::crdt {

CausalDoc::CausalDoc(Integration integration) : sequence_(std::make_unique<Sequence>(integration)) {}

CausalDoc::CausalDoc(std::unique_ptr<Sequence> sequence, VersionVector version, PropertyMap properties)
    : sequence_(std::move(sequence)), version_(std::move(version)), properties_(std::move(properties)) {
  for (const auto& [key, held] : properties_.registers()) {
    const RegisterWrite write{key, held.value};
    COLLABSIM_CHECK(ObjectTree::ValidateWrite(write).ok());
    canvas_.Apply(write);
  }
}

bool CausalDoc::Ready(const Change& change) const {
  if (change.id.counter != version_.Next(change.id.agent)) return false;
  if (std::holds_alternative<PropertyOp>(change.body)) return true;
  if (const auto* insert = std::get_if<InsertOp>(&change.body)) return sequence_->Ready(*insert);
  return sequence_->Ready(std::get<DeleteOp>(change.body));
}

void CausalDoc::ApplyCanvasWrite(const PropertyWrite& write) {
  const absl::StatusOr<bool> won = properties_.Apply(write);
  COLLABSIM_CHECK(won.ok());  // CheckBatch refused conflicting stamps
  if (*won) canvas_.Apply(RegisterWrite{write.key, write.value});
}

void CausalDoc::Apply(const Change& change) {
  if (const auto* properties = std::get_if<PropertyOp>(&change.body)) {
    for (const PropertyWrite& write : properties->writes) ApplyCanvasWrite(write);
  } else {
    const absl::Status status = std::holds_alternative<InsertOp>(change.body)
                                    ? sequence_->Apply(std::get<InsertOp>(change.body))
                                    : sequence_->Apply(std::get<DeleteOp>(change.body));
    COLLABSIM_CHECK(status.ok());  // ready and checked: the sequence cannot refuse it
  }
  version_.Set(change.id.agent, change.id.counter + change.Span());
}

Change CausalDoc::WriteOwn(IntentId intent, uint64_t agent, const std::vector<RegisterWrite>& writes) {
  COLLABSIM_CHECK(!writes.empty());
  Change change;
  change.intent = intent;
  change.id = ItemId{agent, version_.Next(agent)};
  PropertyOp op;
  for (const RegisterWrite& write : writes) {
    op.writes.push_back(properties_.Set(agent, write.key, write.value));  // stamped past all seen: it wins
    canvas_.Apply(write);
  }
  change.body = std::move(op);
  version_.Set(agent, change.id.counter + change.Span());
  return change;
}

absl::Status CausalDoc::CheckCanvasWrites(const std::vector<Change>& batch) const {
  // Writes of this batch and of the buffer by (key, stamp): two different
  // values under one stamp are a forgery or corruption, wherever they are.
  std::map<std::pair<PropertyKey, WriteStamp>, const PropertyValue*> offered;
  std::map<PropertyKey, WriteStamp> parents;  // first parent write offered per object
  auto check = [&](const PropertyWrite& write) -> absl::Status {
    if (absl::Status valid = properties_.Validate(write); !valid.ok()) return valid;
    auto [at, added] = offered.emplace(std::make_pair(write.key, write.stamp), &write.value);
    if (!added && *at->second != write.value) {
      return absl::InvalidArgumentError(absl::StrFormat("two different writes to %s.%s share stamp (%d, agent %d)",
                                                        write.key.object, write.key.property, write.stamp.lamport,
                                                        write.stamp.agent));
    }
    if (write.key.property != kParentProperty) return absl::OkStatus();
    WriteStamp first = write.stamp;
    if (const auto held = properties_.registers().find(write.key); held != properties_.registers().end()) {
      first = held->second.stamp;
    }
    auto [parent, fresh] = parents.emplace(write.key, first);
    if (parent->second != write.stamp) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "second parent write to %s: the crdt engines do not move objects", write.key.object));
    }
    return absl::OkStatus();
  };
  bool any = false;
  for (const Change& change : batch) any = any || std::holds_alternative<PropertyOp>(change.body);
  if (!any) return absl::OkStatus();
  auto check_change = [&](const Change& change) -> absl::Status {
    if (const auto* properties = std::get_if<PropertyOp>(&change.body)) {
      for (const PropertyWrite& write : properties->writes) {
        if (absl::Status valid = check(write); !valid.ok()) return valid;
      }
    }
    return absl::OkStatus();
  };
  for (const Change& change : batch) {
    if (absl::Status valid = check_change(change); !valid.ok()) return valid;
  }
  for (const auto& [key, change] : buffer_) {
    if (absl::Status valid = check_change(change); !valid.ok()) return valid;
  }
  return absl::OkStatus();
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
  // Origins out of order that are decidable now refuse the message; those
  // that only become so later keep their change waiting (Sequence::Ready).
  for (const Change& change : batch) {
    const auto* insert = std::get_if<InsertOp>(&change.body);
    if (insert != nullptr && !sequence_->OriginsInOrder(*insert)) {
      return absl::InvalidArgumentError(absl::StrFormat("change %d.%d: its origin_right is not after its origin_left",
                                                        change.id.agent, change.id.counter));
    }
  }
  return CheckCanvasWrites(batch);
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
  // Replicas are checked after every simulator step; walking every run of
  // the sequence (O(n log n)) took nine tenths of a sanitizer run, so it
  // and the property map's walk share the cadence of the canvas comparison
  // below: the counts on every call, everything on the first and every
  // kEvery-th.
  const bool full = full_check_.Due();
  if (full) {
    sequence_->CheckInvariants();
    properties_.CheckInvariants();
  } else {
    sequence_->CheckCounts();
  }
  canvas_.CheckInvariants();
  if (full) {
    size_t shown = 0;
    for (const auto& [key, held] : properties_.registers()) {
      COLLABSIM_CHECK(canvas_.Get(key) == held.value);
      shown += !std::holds_alternative<std::monostate>(held.value);
    }
    COLLABSIM_CHECK(canvas_.registers().size() == shown);
  }
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
  const MemoryStats canvas = doc.canvas().Memory();
  memory.content_bytes = sequence.ContentBytes();
  memory.metadata_bytes = sequence.MetadataBytes() + canvas.metadata_bytes + doc.properties().MemoryBytes() +
                          (doc.version().size() + other_version_entries) * 2 * sizeof(uint64_t);
  memory.tombstone_bytes = sequence.TombstoneBytes() + canvas.tombstone_bytes;
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
