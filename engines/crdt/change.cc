// Changes and version vectors on the wire (see change.h).
#include "engines/crdt/change.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/object_tree.h"
#include "engines/common/utf8.h"

namespace collabsim::crdt {
namespace {

ItemId IdOf(const wire::ItemId& id) { return ItemId{id.agent(), id.counter()}; }

}  // namespace

uint64_t Change::Span() const {
  if (const auto* insert = std::get_if<InsertOp>(&body)) return insert->text.size();
  return 1;
}

uint64_t Change::Bytes() const {
  uint64_t bytes = sizeof(Change);
  if (const auto* insert = std::get_if<InsertOp>(&body)) return bytes + insert->text.size() * sizeof(char32_t);
  if (const auto* properties = std::get_if<PropertyOp>(&body)) {
    for (const PropertyWrite& write : properties->writes) {
      bytes += sizeof(PropertyWrite) + write.key.object.size() + write.key.property.size();
      if (const auto* text = std::get_if<std::string>(&write.value)) bytes += text->size();
    }
    return bytes;
  }
  return bytes + std::get<DeleteOp>(body).ranges.size() * sizeof(DeleteRange);
}

uint64_t AgentFor(const IntentId& first_intent_of_session) {
  // 24 bits of replica (16M users) and 40 of intent sequence.
  COLLABSIM_CHECK(first_intent_of_session.replica < (uint64_t{1} << 24));
  COLLABSIM_CHECK(first_intent_of_session.seq < (uint64_t{1} << 40));
  return (uint64_t{first_intent_of_session.replica} << 40) | first_intent_of_session.seq;
}

uint64_t VersionVector::Next(uint64_t agent) const {
  if (last_valid_ && last_agent_ == agent) return last_next_;
  const auto it = next_.find(agent);
  last_agent_ = agent;
  last_next_ = it == next_.end() ? 0 : it->second;
  last_valid_ = true;
  return last_next_;
}

void VersionVector::Set(uint64_t agent, uint64_t next) {
  next_[agent] = next;
  last_agent_ = agent;
  last_next_ = next;
  last_valid_ = true;
}

void VersionVector::Encode(wire::VersionVector* out) const {
  out->Clear();
  for (const auto& [agent, next] : next_) {
    wire::VersionEntry* entry = out->add_entries();
    entry->set_agent(agent);
    entry->set_next_counter(next);
  }
}

absl::StatusOr<VersionVector> VersionVector::Decode(const wire::VersionVector& in) {
  VersionVector version;
  for (int k = 0; k < in.entries_size(); ++k) {
    const wire::VersionEntry& entry = in.entries(k);
    if (k > 0 && entry.agent() <= in.entries(k - 1).agent()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("version vector entry %d: agent %d not after %d", k, entry.agent(), in.entries(k - 1).agent()));
    }
    version.next_.emplace_hint(version.next_.end(), entry.agent(), entry.next_counter());
  }
  return version;
}

void EncodeChange(const Change& change, wire::Op* out) {
  out->Clear();
  out->set_agent(change.id.agent);
  out->set_counter(change.id.counter);
  out->mutable_intent()->set_replica(change.intent.replica);
  out->mutable_intent()->set_seq(change.intent.seq);
  if (const auto* insert = std::get_if<InsertOp>(&change.body)) {
    wire::Insert* w = out->mutable_insert();
    if (insert->origin_left.has_value()) EncodeItemId(*insert->origin_left, w->mutable_origin_left());
    if (insert->origin_right.has_value()) EncodeItemId(*insert->origin_right, w->mutable_origin_right());
    w->set_lamport(insert->lamport);
    w->set_text(EncodeUtf8(insert->text));
    return;
  }
  if (const auto* properties = std::get_if<PropertyOp>(&change.body)) {
    wire::Properties* w = out->mutable_properties();
    for (const PropertyWrite& write : properties->writes) EncodePropertyWrite(write, w->add_writes());
    return;
  }
  wire::Delete* w = out->mutable_delete_();
  for (const DeleteRange& range : std::get<DeleteOp>(change.body).ranges) {
    wire::DeleteRange* r = w->add_ranges();
    EncodeItemId(range.first, r->mutable_first());
    r->set_length(range.length);
  }
}

absl::StatusOr<Change> DecodeChange(const wire::Op& op) {
  Change change;
  change.id = ItemId{op.agent(), op.counter()};
  change.intent = IntentId{op.intent().replica(), op.intent().seq()};
  const std::string where = absl::StrFormat("op %d.%d", op.agent(), op.counter());
  switch (op.body_case()) {
    case wire::Op::kInsert: {
      InsertOp insert;
      insert.id = change.id;
      if (op.insert().has_origin_left()) insert.origin_left = IdOf(op.insert().origin_left());
      if (op.insert().has_origin_right()) insert.origin_right = IdOf(op.insert().origin_right());
      insert.lamport = op.insert().lamport();
      absl::StatusOr<std::u32string> text = DecodeUtf8(op.insert().text());
      if (!text.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": ", text.status().message()));
      if (text->empty()) return absl::InvalidArgumentError(where + ": empty insert");
      insert.text = *std::move(text);
      const uint64_t n = insert.text.size();
      if (op.counter() > UINT64_MAX - n || insert.lamport > UINT64_MAX - n) {
        return absl::InvalidArgumentError(where + ": counter overflows");
      }
      for (const auto& origin : {insert.origin_left, insert.origin_right}) {
        if (origin.has_value() && origin->agent == op.agent() && origin->counter >= op.counter() &&
            origin->counter < op.counter() + n) {
          return absl::InvalidArgumentError(where + ": insert is its own origin");
        }
      }
      change.body = std::move(insert);
      return change;
    }
    case wire::Op::kDelete: {
      if (op.counter() == UINT64_MAX) return absl::InvalidArgumentError(where + ": counter overflows");
      DeleteOp del;
      for (const wire::DeleteRange& range : op.delete_().ranges()) {
        if (range.length() == 0 || range.first().counter() > UINT64_MAX - range.length()) {
          return absl::InvalidArgumentError(where + ": empty or overflowing delete range");
        }
        del.ranges.push_back(DeleteRange{IdOf(range.first()), range.length()});
      }
      if (del.ranges.empty()) return absl::InvalidArgumentError(where + ": delete of nothing");
      change.body = std::move(del);
      return change;
    }
    case wire::Op::kProperties: {
      if (op.counter() == UINT64_MAX) return absl::InvalidArgumentError(where + ": counter overflows");
      PropertyOp properties;
      for (const wire::SetProperty& set : op.properties().writes()) {
        absl::StatusOr<PropertyWrite> write = DecodePropertyWrite(set, op.agent());
        if (!write.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": ", write.status().message()));
        if (absl::Status valid = ObjectTree::ValidateWrite(RegisterWrite{write->key, write->value}); !valid.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(where, ": ", valid.message()));
        }
        properties.writes.push_back(*std::move(write));
      }
      if (properties.writes.empty()) return absl::InvalidArgumentError(where + ": properties op writes nothing");
      change.body = std::move(properties);
      return change;
    }
    case wire::Op::BODY_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(where + ": no insert, delete or properties");
}

}  // namespace collabsim::crdt
