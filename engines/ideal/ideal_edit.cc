// Sizing and checking the ideal reference's edits.
#include "engines/ideal/ideal_edit.h"

#include "absl/strings/str_format.h"
#include "engines/common/register_codec.h"
#include "engines/common/utf8.h"

namespace collabsim::ideal {
namespace {

uint64_t VarintBytes(uint64_t value) {
  uint64_t bytes = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++bytes;
  }
  return bytes;
}

uint64_t ValueBytes(const wire::PropertyValue& value) {
  switch (value.kind_case()) {
    case wire::PropertyValue::kText:
      return value.text().size();
    case wire::PropertyValue::kNumber:
      return sizeof(double);
    case wire::PropertyValue::kFlag:
    case wire::PropertyValue::kUnset:
    case wire::PropertyValue::KIND_NOT_SET:
      return 1;
  }
  return 1;
}

}  // namespace

uint64_t OwnBytes(const ideal_wire::Edit& edit) {
  switch (edit.change_case()) {
    case ideal_wire::Edit::kInsert:
      return VarintBytes(edit.insert().position()) + edit.insert().text().size();
    case ideal_wire::Edit::kDelete:
      return VarintBytes(edit.delete_().position()) + VarintBytes(edit.delete_().length());
    case ideal_wire::Edit::kCanvas: {
      uint64_t bytes = 0;
      for (const wire::RegisterWrite& write : edit.canvas().writes()) {
        bytes += write.object().size() + write.property().size() + ValueBytes(write.value());
      }
      return bytes;
    }
    case ideal_wire::Edit::CHANGE_NOT_SET:
      break;
  }
  return 0;
}

absl::Status ValidateEdit(const ideal_wire::Edit& edit) {
  if (edit.author() == 0 || edit.seq() == 0) {
    return absl::InvalidArgumentError(absl::StrFormat("edit %d.%d: author and seq must be positive", edit.author(), edit.seq()));
  }
  switch (edit.change_case()) {
    case ideal_wire::Edit::kInsert: {
      absl::StatusOr<std::u32string> text = DecodeUtf8(edit.insert().text());
      if (!text.ok() || text->empty()) {
        return absl::InvalidArgumentError(
            absl::StrFormat("edit %d.%d: insert.text must be non-empty UTF-8", edit.author(), edit.seq()));
      }
      return absl::OkStatus();
    }
    case ideal_wire::Edit::kDelete:
      if (edit.delete_().length() == 0) {
        return absl::InvalidArgumentError(absl::StrFormat("edit %d.%d: delete.length is 0", edit.author(), edit.seq()));
      }
      return absl::OkStatus();
    case ideal_wire::Edit::kCanvas: {
      absl::StatusOr<std::vector<RegisterWrite>> writes = DecodeCanvasWrites(edit.canvas().writes());
      if (!writes.ok()) {
        return absl::InvalidArgumentError(
            absl::StrFormat("edit %d.%d: canvas: %s", edit.author(), edit.seq(), writes.status().message()));
      }
      return absl::OkStatus();
    }
    case ideal_wire::Edit::CHANGE_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrFormat("edit %d.%d: no change", edit.author(), edit.seq()));
}

}  // namespace collabsim::ideal
