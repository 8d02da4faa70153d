// Blocks, their order and text intents as writes (see block_document.h).
#include "engines/lww/block_document.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engines/common/check.h"
#include "engines/common/utf8.h"
#include "engines/common/fractional_index.h"

namespace collabsim::lww {
namespace {

const PropertyValue kUnset{};
const std::string kEmpty;

// Byte offset of code point `n` in valid UTF-8 (clamped to its end).
size_t ByteOffset(std::string_view utf8, uint64_t n) {
  size_t at = 0;
  for (; at < utf8.size(); ++at) {
    if ((static_cast<unsigned char>(utf8[at]) & 0xC0) != 0x80) {
      if (n == 0) return at;
      --n;
    }
  }
  return utf8.size();
}

std::string_view CodePoints(std::string_view utf8, uint64_t from, uint64_t to) {
  const size_t begin = ByteOffset(utf8, from);
  const size_t end = ByteOffset(utf8, to);
  return utf8.substr(begin, end - begin);
}

std::string Concat(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size() + b.size());
  out.append(a);
  out.append(b);
  return out;
}

bool Before(std::string_view index_a, std::string_view id_a, std::string_view index_b, std::string_view id_b) {
  return std::tie(index_a, id_a) < std::tie(index_b, id_b);
}

}  // namespace

BlockDocument::BlockDocument(Granularity granularity) : granularity_(granularity) {
  registers_[PropertyKey{std::string(kFirstBlock), std::string(kIndexProperty)}] = std::string(kFirstBlockIndex);
  order_.push_back(Placed{std::string(kFirstBlockIndex), std::string(kFirstBlock), 0});
  memory_ = ComputeMemory();
}

BlockDocument::BlockDocument(Granularity granularity, BlockRegisters registers)
    : granularity_(granularity), registers_(std::move(registers)) {
  registers_[PropertyKey{std::string(kFirstBlock), std::string(kIndexProperty)}] = std::string(kFirstBlockIndex);
  std::string last_object;
  for (const auto& [key, value] : registers_) {
    if (key.object == last_object) continue;
    last_object = key.object;
    if (!IsVisible(key.object)) continue;
    const std::string& index = std::get<std::string>(Get(PropertyKey{key.object, std::string(kIndexProperty)}));
    order_.push_back(Placed{index, key.object, CountCodePoints(TextOf(key.object))});
  }
  std::sort(order_.begin(), order_.end(),
            [](const Placed& a, const Placed& b) { return Before(a.index, a.id, b.index, b.id); });
  for (size_t k = 0; k < order_.size(); ++k) text_length_ += order_[k].length + (k > 0 ? 1 : 0);
  memory_ = ComputeMemory();
}

absl::Status BlockDocument::ValidateWrite(const Write& write) const {
  const std::string& object = write.key.object;
  const std::string& property = write.key.property;
  auto fail = [&](const char* what) {
    return absl::InvalidArgumentError(absl::StrCat("write to ", object, ".", property, ": ", what));
  };
  if (object.empty() || object.size() > kMaxObjectIdBytes) return fail("object id must be 1-64 bytes");
  if (object.substr(0, 2) == "c/") return fail("\"c/\" objects belong to the canvas");
  if (granularity_ == Granularity::kDocument && object != kFirstBlock) {
    return fail("a document-granular text has one block, \"0\"");
  }
  if (property == kTextProperty) {
    const std::string* text = std::get_if<std::string>(&write.value);
    if (text == nullptr) return fail("text must be a string");
    if (!DecodeUtf8(*text).ok()) return fail("text is not valid UTF-8");
    if (granularity_ == Granularity::kBlock && text->find('\n') != std::string::npos) {
      return fail("a block's text holds no newline");
    }
    return absl::OkStatus();
  }
  if (property == kIndexProperty) {
    const std::string* index = std::get_if<std::string>(&write.value);
    if (index == nullptr || !IsValidKey(*index) || index->size() > kMaxIndexBytes) {
      return fail("index must be a fractional key (digits 0-9A-Za-z, not ending in 0, at most 512)");
    }
    if (object == kFirstBlock) {
      return *index == kFirstBlockIndex ? absl::OkStatus() : fail("the first block never moves");
    }
    if (*index <= kFirstBlockIndex) return fail("only the first block sorts at or before \"1\"");
    return absl::OkStatus();
  }
  if (property == kDeletedProperty) {
    if (!std::holds_alternative<bool>(write.value)) return fail("deleted must be a bool");
    if (object == kFirstBlock) return fail("the first block is never deleted");
    return absl::OkStatus();
  }
  return fail("unknown property");
}

const PropertyValue& BlockDocument::Get(const PropertyKey& key) const {
  auto it = registers_.find(key);
  return it == registers_.end() ? kUnset : it->second;
}

bool BlockDocument::IsVisible(std::string_view object) const {
  const PropertyValue& index = Get(PropertyKey{std::string(object), std::string(kIndexProperty)});
  if (!std::holds_alternative<std::string>(index)) return false;
  const PropertyValue& deleted = Get(PropertyKey{std::string(object), std::string(kDeletedProperty)});
  return !(std::holds_alternative<bool>(deleted) && std::get<bool>(deleted));
}

const std::string& BlockDocument::TextOf(std::string_view object) const {
  const PropertyValue& text = Get(PropertyKey{std::string(object), std::string(kTextProperty)});
  const std::string* s = std::get_if<std::string>(&text);
  return s == nullptr ? kEmpty : *s;
}

void BlockDocument::Unplace(std::string_view object) {
  if (!IsVisible(object)) return;
  const std::string& index = std::get<std::string>(Get(PropertyKey{std::string(object), std::string(kIndexProperty)}));
  auto it = std::lower_bound(order_.begin(), order_.end(), 0, [&](const Placed& p, int) {
    return Before(p.index, p.id, index, object);
  });
  COLLABSIM_CHECK(it != order_.end() && it->id == object);
  text_length_ -= it->length + (order_.size() > 1 ? 1 : 0);
  order_.erase(it);
}

void BlockDocument::Place(std::string_view object) {
  if (!IsVisible(object)) return;
  const std::string& index = std::get<std::string>(Get(PropertyKey{std::string(object), std::string(kIndexProperty)}));
  auto it = std::lower_bound(order_.begin(), order_.end(), 0, [&](const Placed& p, int) {
    return Before(p.index, p.id, index, object);
  });
  const uint64_t length = CountCodePoints(TextOf(object));
  text_length_ += length + (order_.empty() ? 0 : 1);
  order_.insert(it, Placed{index, std::string(object), length});
}

namespace {

// What one object's registers [begin, end) hold, by category: a block that
// is not placed (no index, or deleted) is all tombstone; a placed block's
// text is content and the rest metadata.
template <typename It>
void AddObjectMemory(It begin, It end, MemoryStats* memory) {
  bool indexed = false, deleted = false;
  for (It it = begin; it != end; ++it) {
    if (it->first.property == kIndexProperty) indexed = std::holds_alternative<std::string>(it->second);
    if (it->first.property == kDeletedProperty) deleted = std::holds_alternative<bool>(it->second) && std::get<bool>(it->second);
  }
  const bool tombstone = !indexed || deleted;
  for (It it = begin; it != end; ++it) {
    const auto& [key, value] = *it;
    const uint64_t key_bytes = key.object.size() + key.property.size();
    const auto* text = std::get_if<std::string>(&value);
    const uint64_t value_bytes = text != nullptr ? text->size() : sizeof(double);
    if (tombstone) {
      memory->tombstone_bytes += key_bytes + value_bytes;
    } else if (key.property == kTextProperty) {
      memory->content_bytes += value_bytes;
      memory->metadata_bytes += key_bytes;
    } else {
      memory->metadata_bytes += key_bytes + value_bytes;
    }
  }
}

}  // namespace

void BlockDocument::Apply(const Write& write) {
  const std::string& object = write.key.object;
  // An object's registers are adjacent ("deleted" < "index" < "text"): one
  // search finds them all.
  const auto first = registers_.lower_bound(PropertyKey{object, std::string()});
  const std::string* index = nullptr;
  bool deleted = false;
  auto text = registers_.end();
  auto end = first;  // past the object's registers
  for (; end != registers_.end() && end->first.object == object; ++end) {
    if (end->first.property == kIndexProperty) index = std::get_if<std::string>(&end->second);
    if (end->first.property == kDeletedProperty) deleted = std::holds_alternative<bool>(end->second) && std::get<bool>(end->second);
    if (end->first.property == kTextProperty) text = end;
  }
  // A visible block's new text keeps its place: update its length in place
  // (the common case, typing) instead of moving the rest of the order.
  const auto* new_text = std::get_if<std::string>(&write.value);
  if (write.key.property == kTextProperty && index != nullptr && !deleted && new_text != nullptr) {
    auto it = std::lower_bound(order_.begin(), order_.end(), 0, [&](const Placed& p, int) {
      return Before(p.index, p.id, *index, object);
    });
    COLLABSIM_CHECK(it != order_.end() && it->id == object);
    const uint64_t length = CountCodePoints(*new_text);
    text_length_ = text_length_ - it->length + length;
    it->length = length;
    if (text != registers_.end()) {
      memory_.content_bytes = memory_.content_bytes - std::get<std::string>(text->second).size() + new_text->size();
      text->second = write.value;
    } else {
      memory_.content_bytes += new_text->size();
      memory_.metadata_bytes += write.key.object.size() + write.key.property.size();
      registers_.emplace(write.key, write.value);
    }
    return;
  }
  MemoryStats before;
  AddObjectMemory(first, end, &before);
  Unplace(object);
  if (std::holds_alternative<std::monostate>(write.value)) {
    registers_.erase(write.key);
  } else {
    registers_[write.key] = write.value;
  }
  Place(object);
  const MemoryStats after = ObjectMemory(object);
  memory_.content_bytes = memory_.content_bytes - before.content_bytes + after.content_bytes;
  memory_.metadata_bytes = memory_.metadata_bytes - before.metadata_bytes + after.metadata_bytes;
  memory_.tombstone_bytes = memory_.tombstone_bytes - before.tombstone_bytes + after.tombstone_bytes;
}

uint64_t BlockDocument::StartOf(size_t block) const {
  uint64_t start = 0;
  for (size_t k = 0; k < block; ++k) start += order_[k].length + 1;
  return start;
}

BlockDocument::Located BlockDocument::Locate(uint64_t position) const {
  COLLABSIM_CHECK(position <= text_length_);
  uint64_t start = 0;
  for (size_t k = 0; k < order_.size(); ++k) {
    if (position <= start + order_[k].length) return Located{k, position - start};
    start += order_[k].length + 1;
  }
  COLLABSIM_CHECK(false);
  return {};
}

std::string BlockDocument::Text() const {
  std::string out;
  for (size_t k = 0; k < order_.size(); ++k) {
    if (k > 0) out += '\n';
    out += TextOf(order_[k].id);
  }
  return out;
}

std::string BlockDocument::TextSlice(uint64_t from, uint64_t count) const {
  std::string out;
  if (from >= text_length_ || count == 0) return out;
  const uint64_t to = std::min(text_length_, from + count);
  uint64_t start = 0;
  for (size_t k = 0; k < order_.size() && start < to; ++k) {
    const uint64_t end = start + order_[k].length;  // the newline after it sits at `end`
    if (end >= from) {
      const uint64_t a = std::max(from, start) - start;
      const uint64_t b = std::min(to, end) - start;
      if (b > a) out += CodePoints(TextOf(order_[k].id), a, b);
      if (end < to && end >= from && k + 1 < order_.size()) out += '\n';
    }
    start = end + 1;
  }
  return out;
}

absl::StatusOr<EditResult> BlockDocument::Edit(const IntentBody& body, IntentId id) const {
  EditResult result;
  if (IsObjectIntent(body)) return absl::InvalidArgumentError("not a text intent");
  if (absl::Status valid = CheckTextIntent(body, text_length_).status(); !valid.ok()) return valid;
  if (const auto* insert = std::get_if<InsertText>(&body)) {
    const Located at = Locate(insert->position);
    const Placed& block = order_[at.block];
    const std::string& text = TextOf(block.id);
    const std::string_view head = CodePoints(text, 0, at.offset);
    const std::string_view tail = CodePoints(text, at.offset, block.length);
    result.summary = EditSummary{block.id, at.offset, false};
    std::vector<std::string> parts;
    if (granularity_ == Granularity::kBlock) {
      parts = absl::StrSplit(insert->text, '\n');
    } else {
      parts.push_back(insert->text);
    }
    std::string first = Concat(head, parts.front());
    if (parts.size() == 1) {
      result.caret = Anchor{block.id, CountCodePoints(first)};
      result.writes.push_back(Write{{block.id, std::string(kTextProperty)}, Concat(first, tail)});
      return result;
    }
    result.writes.push_back(Write{{block.id, std::string(kTextProperty)}, std::move(first)});
    // The new paragraphs go just after this block: between its key and
    // the next visible block's (after both when the two keys are equal).
    std::string low = block.index;
    std::string_view high;
    for (size_t k = at.block + 1; k < order_.size(); ++k) {
      if (order_[k].index > low) {
        high = order_[k].index;
        break;
      }
    }
    for (size_t k = 1; k < parts.size(); ++k) {
      const std::string object = absl::StrCat(id.replica, ".", id.seq, k > 1 ? absl::StrCat(".", k) : "");
      std::string key = KeyBetween(low, high, JitterFor(id.replica, id.seq, k));
      std::string paragraph = parts[k];
      if (k + 1 == parts.size()) {
        result.caret = Anchor{object, CountCodePoints(paragraph)};
        paragraph += tail;
      }
      result.writes.push_back(Write{{object, std::string(kTextProperty)}, std::move(paragraph)});
      result.writes.push_back(Write{{object, std::string(kIndexProperty)}, key});
      low = std::move(key);
    }
    return result;
  }
  if (const auto* erase = std::get_if<DeleteText>(&body)) {
    const Located from = Locate(erase->position);
    const Located to = Locate(erase->position + erase->length);
    const Placed& first = order_[from.block];
    const Placed& last = order_[to.block];
    result.summary = EditSummary{first.id, from.offset, true};
    result.caret = Anchor{first.id, from.offset};
    result.writes.push_back(Write{{first.id, std::string(kTextProperty)},
                                  Concat(CodePoints(TextOf(first.id), 0, from.offset),
                                               CodePoints(TextOf(last.id), to.offset, last.length))});
    for (size_t k = from.block + 1; k <= to.block; ++k) {
      result.writes.push_back(Write{{order_[k].id, std::string(kDeletedProperty)}, true});
      result.writes.push_back(Write{{order_[k].id, std::string(kTextProperty)}, std::string()});
    }
    return result;
  }
  const auto& move = std::get<MoveCursor>(body);
  result.caret = AnchorAt(move.position);
  if (move.anchor.has_value()) result.selection_anchor = AnchorAt(*move.anchor);
  return result;
}

Anchor BlockDocument::AnchorAt(uint64_t position) const {
  const Located at = Locate(std::min(position, text_length_));
  return Anchor{order_[at.block].id, at.offset};
}

uint64_t BlockDocument::PositionOf(const Anchor& anchor) const {
  const PropertyValue& index = Get(PropertyKey{anchor.block, std::string(kIndexProperty)});
  if (!std::holds_alternative<std::string>(index)) return 0;
  const std::string& key = std::get<std::string>(index);
  uint64_t start = 0;
  for (size_t k = 0; k < order_.size(); ++k) {
    if (order_[k].id == anchor.block) return start + std::min(anchor.offset, order_[k].length);
    if (Before(key, anchor.block, order_[k].index, order_[k].id)) return start;  // where it would be
    start += order_[k].length + 1;
  }
  return text_length_;
}


MemoryStats BlockDocument::ObjectMemory(std::string_view object) const {
  MemoryStats memory;
  auto begin = registers_.lower_bound(PropertyKey{std::string(object), std::string()});
  auto end = begin;
  while (end != registers_.end() && end->first.object == object) ++end;
  AddObjectMemory(begin, end, &memory);
  return memory;
}

MemoryStats BlockDocument::ComputeMemory() const {
  // One pass: registers are ordered by object, so each object's registers
  // are adjacent.
  MemoryStats memory;
  for (auto it = registers_.begin(); it != registers_.end();) {
    auto end = it;
    while (end != registers_.end() && end->first.object == it->first.object) ++end;
    AddObjectMemory(it, end, &memory);
    it = end;
  }
  return memory;
}

void BlockDocument::CheckInvariants() const {
  COLLABSIM_CHECK(!order_.empty() && order_.front().id == kFirstBlock);
  uint64_t length = 0;
  for (size_t k = 0; k < order_.size(); ++k) {
    if (k > 0) COLLABSIM_CHECK(Before(order_[k - 1].index, order_[k - 1].id, order_[k].index, order_[k].id));
    length += order_[k].length + (k > 0 ? 1 : 0);
  }
  COLLABSIM_CHECK(length == text_length_);
  if (!full_check_.Due()) return;
  // In full: the kept memory figures are those computed from scratch...
  const MemoryStats memory = ComputeMemory();
  COLLABSIM_CHECK(memory_.content_bytes == memory.content_bytes && memory_.metadata_bytes == memory.metadata_bytes &&
                  memory_.tombstone_bytes == memory.tombstone_bytes);
  // ...and the order is exactly the visible blocks, with their lengths.
  length = 0;
  size_t visible = 0;
  std::string last_object;
  for (const auto& [key, value] : registers_) {
    if (key.object == last_object) continue;
    last_object = key.object;
    if (IsVisible(key.object)) ++visible;
  }
  COLLABSIM_CHECK(visible == order_.size());
  for (size_t k = 0; k < order_.size(); ++k) {
    const Placed& p = order_[k];
    COLLABSIM_CHECK(IsVisible(p.id));
    COLLABSIM_CHECK(std::get<std::string>(Get(PropertyKey{p.id, std::string(kIndexProperty)})) == p.index);
    const std::string& text = TextOf(p.id);
    COLLABSIM_CHECK(CountCodePoints(text) == p.length);
    if (granularity_ == Granularity::kBlock) COLLABSIM_CHECK(text.find('\n') == std::string::npos);
    if (k > 0) COLLABSIM_CHECK(Before(order_[k - 1].index, order_[k - 1].id, p.index, p.id));
    length += p.length + (k > 0 ? 1 : 0);
  }
  COLLABSIM_CHECK(length == text_length_);
}

}  // namespace collabsim::lww
