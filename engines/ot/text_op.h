// Text operations for the Jupiter-style OT engine: a sequence of retain /
// insert / delete components that walks the whole document (Quill-Delta and
// Google Wave shape). Lengths count code points. Apply, Compose, Transform
// and Invert are pure functions.
//
// Invariants (kept by the builder methods):
//   - no component has length zero;
//   - no two adjacent components have the same kind (they are merged);
//   - an insert never directly follows a delete (it is placed before it), so
//     equal edits have one representation.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "engines/common/chunked_text.h"

namespace collabsim::ot {

struct Retain {
  uint64_t count = 0;
  bool operator==(const Retain&) const = default;
};
struct Insert {
  std::u32string text;
  bool operator==(const Insert&) const = default;
};
struct Delete {
  uint64_t count = 0;
  bool operator==(const Delete&) const = default;
};
using Component = std::variant<Retain, Insert, Delete>;

// Length of a component in code points.
uint64_t ComponentLength(const Component& component);

class TextOp {
 public:
  TextOp() = default;

  // Builders; each keeps the class invariants. Zero lengths are ignored.
  TextOp& Retain(uint64_t count);
  TextOp& Insert(std::u32string_view text);
  TextOp& Insert(std::u32string&& text);  // moves the text in when it starts a component
  TextOp& Delete(uint64_t count);

  const std::vector<Component>& components() const { return components_; }
  // Length of the document this op applies to.
  uint64_t base_length() const { return base_length_; }
  // Length of the document after applying it.
  uint64_t target_length() const { return target_length_; }
  // True when applying it changes nothing (only retains).
  bool IsNoop() const;

  bool operator==(const TextOp&) const = default;

  // Approximate heap bytes held, for memory accounting.
  uint64_t MemoryBytes() const;

  // The components, handed over by an op that is being consumed.
  std::vector<Component> TakeComponents() && { return std::move(components_); }

 private:
  // The insert that new inserted text extends, if any.
  ot::Insert* MergeableInsert();
  // A new insert component, before a trailing delete (canonical order).
  void AddInsert(std::u32string text);

  std::vector<Component> components_;
  uint64_t base_length_ = 0;
  uint64_t target_length_ = 0;
};

// An op that inserts `text` at `position` in a document of `length`.
TextOp MakeInsert(uint64_t length, uint64_t position, std::u32string_view text);
// An op that deletes [position, position + count) in a document of `length`.
TextOp MakeDelete(uint64_t length, uint64_t position, uint64_t count);

// Returns apply(doc, op). InvalidArgument if op.base_length() != doc.size().
absl::StatusOr<std::u32string> Apply(std::u32string_view doc, const TextOp& op);

// Applies `op` to `doc` in place.
// REQUIRES: op.base_length() == doc->size().
void ApplyInPlace(ChunkedText* doc, const TextOp& op);

// The single op with the effect of `a` then `b`.
// InvalidArgument if a.target_length() != b.base_length().
// Arguments are taken by value: pass an op that is being replaced with
// std::move and its inserted text moves into the result instead of copying.
absl::StatusOr<TextOp> Compose(TextOp a, TextOp b);

// Given a and b made concurrently on the same document, returns (a', b') with
//   apply(apply(d, a), b') == apply(apply(d, b), a')          (TP1).
// Tie-break: when both insert at the same position, `a`'s text ends up first
// (left). Callers pass the op the server sequenced earlier as `a`, so ties
// resolve in server order on every replica.
// InvalidArgument if a.base_length() != b.base_length(). By value, like Compose.
struct TransformProbes;
absl::StatusOr<std::pair<TextOp, TextOp>> Transform(TextOp a, TextOp b, TransformProbes* probes = nullptr);

// What a transform ran into, for coverage probes.
struct TransformProbes {
  uint64_t insert_ties = 0;         // both inserted at one position
  uint64_t inserts_in_deletes = 0;  // an insert strictly inside the other's delete
  uint64_t delete_overlaps = 0;     // both deleted the same text
};

// The op that undoes `op` applied to `doc`: apply(apply(doc, op), Invert) == doc.
// InvalidArgument if op.base_length() != doc.size().
absl::StatusOr<TextOp> Invert(const TextOp& op, std::u32string_view doc);

// Where a caret at `index` ends up after `op` (made concurrently by someone
// else). An insert exactly at the caret leaves it before the inserted text,
// unless `pushed_by_insert` (the op is the caret owner's own typing, which
// leaves the caret after what it typed); a caret inside a deleted range
// moves to the range's start.
// REQUIRES: index <= op.base_length().
uint64_t TransformIndex(const TextOp& op, uint64_t index, bool pushed_by_insert = false);

// A caret at `index` in `op`'s result, as a position in its base: the one
// TransformIndex(op, ·, pushed_by_insert = true) takes back to `index`
// where there is one; a caret inside or just before the op's own inserted
// text has none and maps to where that text was inserted.
// REQUIRES: index <= op.target_length().
uint64_t UntransformIndex(const TextOp& op, uint64_t index);

}  // namespace collabsim::ot
