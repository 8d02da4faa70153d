// Coverage probes: named counters of the hard cases a run actually hit, so a
// run that passes because its faults never fired cannot pass unnoticed
// (FoundationDB's CODE_PROBE, TigerBeetle's marks). Engines bump them; the
// simulator sums them over replicas; a scenario may require some.
#pragma once

#include <array>
#include <string_view>

namespace collabsim::probes {

// Two ops inserted at the same position concurrently (a tie to break).
inline constexpr std::string_view kConcurrentInsertSamePosition = "concurrent_insert_same_position";
// An insert landed strictly inside a range another op deleted concurrently.
inline constexpr std::string_view kInsertIntoDeletedRange = "insert_into_deleted_range";
// Two concurrent deletes removed some of the same text.
inline constexpr std::string_view kDeleteDeleteOverlap = "delete_delete_overlap";
// A pending op was rebased on ops it missed while disconnected, then resent.
inline constexpr std::string_view kOpRebasedAcrossReconnect = "op_rebased_across_reconnect";
// A reconnecting replica caught up on at least kLongCatchUpOps missed ops.
inline constexpr std::string_view kCatchUpAfterLongOffline = "catch_up_after_long_offline";
// A resent op that had already been applied was recognised and not applied twice.
inline constexpr std::string_view kDuplicateResendRecognised = "duplicate_resend_recognised";

// A last-writer-wins write replaced a value its author had not seen (a
// concurrent write to the same property or block, whose edit is lost).
inline constexpr std::string_view kConcurrentWriteOverwritten = "concurrent_write_overwritten";

// The server refused a move that would have made a cycle in the object
// tree (or put an object under one that no longer exists).
inline constexpr std::string_view kMoveRejected = "move_rejected";

inline constexpr int kLongCatchUpOps = 50;

inline constexpr std::array<std::string_view, 8> kAll = {
    kConcurrentInsertSamePosition, kInsertIntoDeletedRange,    kDeleteDeleteOverlap,
    kOpRebasedAcrossReconnect,     kCatchUpAfterLongOffline,   kDuplicateResendRecognised,
    kConcurrentWriteOverwritten,   kMoveRejected};

}  // namespace collabsim::probes
