// Retain/insert/delete operations: builders, apply, compose, transform,
// invert. Compose and transform walk both ops with a cursor that can split a
// component, the standard technique of the Jupiter / Wave lineage.
#include "engines/ot/text_op.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"

namespace collabsim::ot {

uint64_t ComponentLength(const Component& component) {
  if (const auto* r = std::get_if<Retain>(&component)) return r->count;
  if (const auto* i = std::get_if<ot::Insert>(&component)) return i->text.size();
  return std::get<ot::Delete>(component).count;
}

TextOp& TextOp::Retain(uint64_t count) {
  if (count == 0) return *this;
  base_length_ += count;
  target_length_ += count;
  if (!components_.empty()) {
    if (auto* last = std::get_if<ot::Retain>(&components_.back())) {
      last->count += count;
      return *this;
    }
  }
  components_.push_back(ot::Retain{count});
  return *this;
}

TextOp& TextOp::Insert(std::u32string_view text) {
  if (text.empty()) return *this;
  target_length_ += text.size();
  if (ot::Insert* joined = MergeableInsert()) {
    joined->text.append(text);
  } else {
    AddInsert(std::u32string(text));
  }
  return *this;
}

TextOp& TextOp::Insert(std::u32string&& text) {
  if (text.empty()) return *this;
  target_length_ += text.size();
  if (ot::Insert* joined = MergeableInsert()) {
    joined->text.append(text);
  } else {
    AddInsert(std::move(text));
  }
  return *this;
}

ot::Insert* TextOp::MergeableInsert() {
  if (components_.empty()) return nullptr;
  if (auto* last = std::get_if<ot::Insert>(&components_.back())) return last;
  // Canonical order puts an insert before a delete at the same place, so
  // an insert that precedes a trailing delete is the one to extend.
  const size_t n = components_.size();
  if (n >= 2 && std::holds_alternative<ot::Delete>(components_.back())) {
    return std::get_if<ot::Insert>(&components_[n - 2]);
  }
  return nullptr;
}

void TextOp::AddInsert(std::u32string text) {
  if (!components_.empty() && std::holds_alternative<ot::Delete>(components_.back())) {
    components_.insert(components_.end() - 1, ot::Insert{std::move(text)});
  } else {
    components_.push_back(ot::Insert{std::move(text)});
  }
}

TextOp& TextOp::Delete(uint64_t count) {
  if (count == 0) return *this;
  base_length_ += count;
  if (!components_.empty()) {
    if (auto* last = std::get_if<ot::Delete>(&components_.back())) {
      last->count += count;
      return *this;
    }
  }
  components_.push_back(ot::Delete{count});
  return *this;
}

bool TextOp::IsNoop() const {
  return std::all_of(components_.begin(), components_.end(),
                     [](const Component& c) { return std::holds_alternative<ot::Retain>(c); });
}

uint64_t TextOp::MemoryBytes() const {
  uint64_t bytes = sizeof(TextOp) + components_.capacity() * sizeof(Component);
  for (const Component& c : components_) {
    if (const auto* i = std::get_if<ot::Insert>(&c)) bytes += i->text.capacity() * sizeof(char32_t);
  }
  return bytes;
}

TextOp MakeInsert(uint64_t length, uint64_t position, std::u32string_view text) {
  COLLABSIM_CHECK(position <= length);
  TextOp op;
  op.Retain(position).Insert(text).Retain(length - position);
  return op;
}

TextOp MakeDelete(uint64_t length, uint64_t position, uint64_t count) {
  COLLABSIM_CHECK(position + count <= length);
  TextOp op;
  op.Retain(position).Delete(count).Retain(length - position - count);
  return op;
}

absl::StatusOr<std::u32string> Apply(std::u32string_view doc, const TextOp& op) {
  if (op.base_length() != doc.size()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "op base length %d does not match document length %d", op.base_length(), doc.size()));
  }
  std::u32string out;
  out.reserve(op.target_length());
  size_t pos = 0;
  for (const Component& c : op.components()) {
    if (const auto* r = std::get_if<ot::Retain>(&c)) {
      out.append(doc.substr(pos, r->count));
      pos += r->count;
    } else if (const auto* i = std::get_if<ot::Insert>(&c)) {
      out.append(i->text);
    } else {
      pos += std::get<ot::Delete>(c).count;
    }
  }
  return out;
}

void ApplyInPlace(ChunkedText* doc, const TextOp& op) {
  COLLABSIM_CHECK(op.base_length() == doc->size());
  uint64_t pos = 0;  // position in the document being rewritten
  for (const Component& c : op.components()) {
    if (const auto* r = std::get_if<ot::Retain>(&c)) {
      pos += r->count;
    } else if (const auto* i = std::get_if<ot::Insert>(&c)) {
      doc->Insert(pos, i->text);
      pos += i->text.size();
    } else {
      doc->Erase(pos, std::get<ot::Delete>(c).count);
    }
  }
  COLLABSIM_CHECK(doc->size() == op.target_length());
}

namespace {

// Walks an op's components, handing out prefixes of the current one. It
// owns the components so whole inserts can be moved out, not copied: a
// client's pending op may carry hours of offline typing and is transformed
// against every op it catches up on.
class ComponentCursor {
 public:
  explicit ComponentCursor(TextOp op) : components_(std::move(op).TakeComponents()) {}

  bool done() const { return index_ >= components_.size(); }
  const Component& current() const { return components_[index_]; }
  uint64_t remaining() const { return ComponentLength(current()) - offset_; }
  bool IsInsert() const { return !done() && std::holds_alternative<Insert>(current()); }
  bool IsDelete() const { return !done() && std::holds_alternative<Delete>(current()); }
  bool IsRetain() const { return !done() && std::holds_alternative<Retain>(current()); }
  // True when part of the current component has been handed out already.
  bool Inside() const { return offset_ > 0; }

  // The next `count` code points of the current insert, consumed.
  std::u32string TakeInsert(uint64_t count) {
    std::u32string& text = std::get<Insert>(components_[index_]).text;
    if (offset_ == 0 && count == text.size()) {
      ++index_;
      return std::move(text);
    }
    std::u32string piece = text.substr(offset_, count);
    Advance(count);
    return piece;
  }

  void Advance(uint64_t count) {
    offset_ += count;
    if (offset_ == ComponentLength(current())) {
      ++index_;
      offset_ = 0;
    }
  }

 private:
  std::vector<Component> components_;
  size_t index_ = 0;
  uint64_t offset_ = 0;
};

}  // namespace

absl::StatusOr<TextOp> Compose(TextOp a, TextOp b) {
  if (a.target_length() != b.base_length()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "compose: first op's target length %d != second op's base length %d", a.target_length(),
        b.base_length()));
  }
  TextOp out;
  ComponentCursor ca(std::move(a)), cb(std::move(b));
  while (!ca.done() || !cb.done()) {
    if (ca.IsDelete()) {
      out.Delete(ca.remaining());
      ca.Advance(ca.remaining());
      continue;
    }
    if (cb.IsInsert()) {
      out.Insert(cb.TakeInsert(cb.remaining()));
      continue;
    }
    // Lengths matched above, so both have a retain/insert (a) and a
    // retain/delete (b) left here.
    COLLABSIM_CHECK(!ca.done() && !cb.done());
    const uint64_t n = std::min(ca.remaining(), cb.remaining());
    if (ca.IsRetain() && cb.IsRetain()) {
      out.Retain(n);
    } else if (ca.IsRetain() && cb.IsDelete()) {
      out.Delete(n);
    } else if (ca.IsInsert() && cb.IsRetain()) {
      out.Insert(ca.TakeInsert(n));
      cb.Advance(n);
      continue;
    }  // insert then delete: the text never existed.
    ca.Advance(n);
    cb.Advance(n);
  }
  return out;
}

absl::StatusOr<std::pair<TextOp, TextOp>> Transform(TextOp a, TextOp b, TransformProbes* probes) {
  TransformProbes unused;
  TransformProbes& p = probes != nullptr ? *probes : unused;
  if (a.base_length() != b.base_length()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "transform: base lengths differ (%d vs %d)", a.base_length(), b.base_length()));
  }
  TextOp a_prime, b_prime;
  ComponentCursor ca(std::move(a)), cb(std::move(b));
  while (!ca.done() || !cb.done()) {
    // a's insert goes first on a tie: that is the documented tie-break.
    if (ca.IsInsert()) {
      if (cb.IsInsert()) ++p.insert_ties;
      if (cb.IsDelete() && cb.Inside()) ++p.inserts_in_deletes;
      const uint64_t n = ca.remaining();
      a_prime.Insert(ca.TakeInsert(n));
      b_prime.Retain(n);
      continue;
    }
    if (cb.IsInsert()) {
      if (ca.IsDelete() && ca.Inside()) ++p.inserts_in_deletes;
      const uint64_t n = cb.remaining();
      a_prime.Retain(n);
      b_prime.Insert(cb.TakeInsert(n));
      continue;
    }
    COLLABSIM_CHECK(!ca.done() && !cb.done());
    const uint64_t n = std::min(ca.remaining(), cb.remaining());
    if (ca.IsRetain() && cb.IsRetain()) {
      a_prime.Retain(n);
      b_prime.Retain(n);
    } else if (ca.IsDelete() && cb.IsRetain()) {
      a_prime.Delete(n);
    } else if (ca.IsRetain() && cb.IsDelete()) {
      b_prime.Delete(n);
    } else {  // both delete the same text: neither needs to any more.
      ++p.delete_overlaps;
    }
    ca.Advance(n);
    cb.Advance(n);
  }
  return std::make_pair(std::move(a_prime), std::move(b_prime));
}

absl::StatusOr<TextOp> Invert(const TextOp& op, std::u32string_view doc) {
  if (op.base_length() != doc.size()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "invert: op base length %d does not match document length %d", op.base_length(), doc.size()));
  }
  TextOp out;
  size_t pos = 0;
  for (const Component& c : op.components()) {
    if (const auto* r = std::get_if<ot::Retain>(&c)) {
      out.Retain(r->count);
      pos += r->count;
    } else if (const auto* i = std::get_if<ot::Insert>(&c)) {
      out.Delete(i->text.size());
    } else {
      const uint64_t count = std::get<ot::Delete>(c).count;
      out.Insert(doc.substr(pos, count));
      pos += count;
    }
  }
  return out;
}

uint64_t TransformIndex(const TextOp& op, uint64_t index, bool pushed_by_insert) {
  COLLABSIM_CHECK(index <= op.base_length());
  uint64_t base_pos = 0;   // position in the old document
  uint64_t shifted = index;
  for (const Component& c : op.components()) {
    if (base_pos > index) break;
    if (const auto* r = std::get_if<ot::Retain>(&c)) {
      base_pos += r->count;
    } else if (const auto* i = std::get_if<ot::Insert>(&c)) {
      if (base_pos < index || pushed_by_insert) shifted += i->text.size();
    } else {
      const uint64_t count = std::get<ot::Delete>(c).count;
      if (base_pos < index) shifted -= std::min(count, index - base_pos);
      base_pos += count;
    }
  }
  return shifted;
}

uint64_t UntransformIndex(const TextOp& op, uint64_t index) {
  COLLABSIM_CHECK(index <= op.target_length());
  uint64_t base_pos = 0;    // position in the old document
  uint64_t target_pos = 0;  // position in the new one
  for (const Component& c : op.components()) {
    if (const auto* r = std::get_if<ot::Retain>(&c)) {
      if (index < target_pos + r->count) return base_pos + (index - target_pos);
      base_pos += r->count;
      target_pos += r->count;
    } else if (const auto* i = std::get_if<ot::Insert>(&c)) {
      if (index < target_pos + i->text.size()) return base_pos;
      target_pos += i->text.size();
    } else {
      base_pos += std::get<ot::Delete>(c).count;
    }
  }
  return base_pos + (index - target_pos);
}

}  // namespace collabsim::ot
