// The OT client's caret facet (see ot_client.h): a position is an index at
// a revision, moved through every later op; the others' carets wait until
// this client has the revision they were made at.
#include "engines/ot/ot_client.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
#include "engines/common/check.h"
#include "engines/common/probes.h"
#include "engines/common/register_codec.h"
#include "engines/common/utf8.h"
#include "engines/ot/text_op_codec.h"
#include "engines/ot/transform_laws.h"

namespace collabsim::ot {

Selection OtClient::ThroughPending(Selection selection, bool own) const {
  return Selection{ThroughPending(selection.anchor, own), ThroughPending(selection.head, own)};
}

uint64_t OtClient::ThroughPending(uint64_t index, bool own) const {
  if (inflight_.has_value()) index = TransformIndex(inflight_->op, index, own);
  if (buffer_.has_value()) index = TransformIndex(buffer_->op, index, own);
  return index;
}

void OtClient::PlaceWaitingCarets() {
  for (auto it = waiting_carets_.begin(); it != waiting_carets_.end();) {
    const auto [revision, selection] = it->second;
    if (revision > revision_) {
      ++it;
      continue;
    }
    // Sent at this revision, it is placed now; one the client went past
    // (it cannot, revisions arrive one at a time) or that does not fit is
    // not shown.
    if (revision == revision_ && std::max(selection.anchor, selection.head) <= ServerLength()) {
      remote_carets_[it->first] = selection;
    }
    it = waiting_carets_.erase(it);
  }
}

EncodedSelection OtClient::PublishSelection() {
  const bool pending = inflight_.has_value() || buffer_.has_value();
  const Selection live{anchor_, cursor_};
  if (published_.has_value() && published_->live == live && !(published_->provisional && !pending)) {
    return published_->bytes;
  }
  // Each end as an index in the server document at revision_.
  auto encode = [&](uint64_t index) {
    if (buffer_.has_value()) index = UntransformIndex(buffer_->op, index);
    if (inflight_.has_value()) index = UntransformIndex(inflight_->op, index);
    wire::CaretPosition caret;
    caret.set_revision(revision_);
    caret.set_index(index);
    return std::make_pair(caret.SerializeAsString(), ThroughPending(index, true));
  };
  auto [head_bytes, head_live] = encode(cursor_);
  EncodedSelection bytes{head_bytes, head_bytes};
  Selection placed{head_live, head_live};
  if (anchor_ != cursor_) std::tie(bytes.anchor, placed.anchor) = encode(anchor_);
  published_ = PublishedCaret{std::move(bytes), placed, pending};
  return published_->bytes;
}

absl::Status OtClient::ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) {
  wire::CaretPosition ends[2];
  for (int k = 0; k < 2; ++k) {
    const std::string_view bytes = k == 0 ? anchor : head;
    if (!ends[k].ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || !ends[k].has_revision()) {
      return absl::InvalidArgumentError("undecodable OT caret position (a revision is required)");
    }
  }
  if (owner == id() || owner == kServerReplica) {
    return absl::InvalidArgumentError(absl::StrFormat("caret of user %d shown at replica %d", owner, id()));
  }
  const uint64_t revision = ends[1].revision();
  if (ends[0].revision() != revision) {
    return absl::InvalidArgumentError(absl::StrFormat("selection anchor at revision %d, head at %d",
                                                      ends[0].revision(), revision));
  }
  const Selection selection{ends[0].index(), ends[1].index()};
  if (revision == revision_ && std::max(selection.anchor, selection.head) > ServerLength()) {
    return absl::InvalidArgumentError(absl::StrFormat("selection %d-%d past the end (%d) at revision %d",
                                                      selection.anchor, selection.head, ServerLength(), revision_));
  }
  HideRemoteSelection(owner);
  if (revision > revision_) {
    waiting_carets_[owner] = {revision, selection};
  } else if (revision == revision_) {
    remote_carets_[owner] = selection;
  }
  // Older than this client: made for a document it has gone past; the
  // owner's next update shows it.
  return absl::OkStatus();
}

void OtClient::HideRemoteSelection(ReplicaId owner) {
  remote_carets_.erase(owner);
  waiting_carets_.erase(owner);
}

std::optional<Selection> OtClient::RemoteSelection(ReplicaId owner) const {
  const auto it = remote_carets_.find(owner);
  if (it == remote_carets_.end()) return std::nullopt;
  return ThroughPending(it->second, false);
}

}  // namespace collabsim::ot
