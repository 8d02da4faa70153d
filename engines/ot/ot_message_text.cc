// Summaries of OT wire messages (see ot_message_text.h).
#include "engines/ot/ot_message_text.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "ot_wire.pb.h"

namespace collabsim::ot {
namespace {

// "retain 12, insert "ab", delete 3": long inserts cut, long ops elided.
std::string DescribeOp(const wire::TextOp& op) {
  std::string out;
  int shown = 0;
  for (const wire::Component& c : op.components()) {
    if (shown == 6) {
      absl::StrAppendFormat(&out, ", ... (%d components)", op.components_size());
      break;
    }
    if (!out.empty()) out += ", ";
    switch (c.kind_case()) {
      case wire::Component::kRetain:
        absl::StrAppendFormat(&out, "retain %d", c.retain());
        break;
      case wire::Component::kInsert:
        if (c.insert().size() <= 24) {
          absl::StrAppendFormat(&out, "insert \"%s\"", absl::CEscape(c.insert()));
        } else {
          absl::StrAppendFormat(&out, "insert \"%s...\" (%d bytes)", absl::CEscape(c.insert().substr(0, 20)),
                                c.insert().size());
        }
        break;
      case wire::Component::kDeleteCount:
        absl::StrAppendFormat(&out, "delete %d", c.delete_count());
        break;
      case wire::Component::KIND_NOT_SET:
        out += "(empty component)";
        break;
    }
    ++shown;
  }
  return "[" + out + "]";
}

std::string DescribeWrites(const google::protobuf::RepeatedPtrField<collabsim::wire::RegisterWrite>& writes) {
  if (writes.empty()) return "";
  return absl::StrFormat(" + %d canvas writes (%s.%s, ...)", writes.size(), writes[0].object(), writes[0].property());
}

std::string DescribeEntry(const wire::LogEntry& entry) {
  return absl::StrFormat("r%d from user %d op %d %s%s", entry.revision(), entry.origin(), entry.client_seq(),
                         DescribeOp(entry.op()), DescribeWrites(entry.writes()));
}

std::string Range(const google::protobuf::RepeatedPtrField<wire::LogEntry>& entries) {
  if (entries.empty()) return "no entries";
  return absl::StrFormat("%d entries r%d..r%d", entries.size(), entries.begin()->revision(),
                         entries.rbegin()->revision());
}

std::string DescribePart(const wire::Part& part) {
  return absl::StrFormat("bytes %d..%d of %d", part.offset(), part.offset() + part.data().size(), part.total_size());
}

}  // namespace

std::string DescribeOtMessage(bool from_server, std::string_view bytes) {
  const int size = static_cast<int>(bytes.size());
  if (from_server) {
    wire::ServerMessage m;
    if (!m.ParseFromArray(bytes.data(), size)) return absl::StrFormat("undecodable server message (%d bytes)", size);
    switch (m.body_case()) {
      case wire::ServerMessage::kWelcome:
        return absl::StrFormat("Welcome head r%d, last op %d, %s%s", m.welcome().head_revision(),
                               m.welcome().last_client_seq(), Range(m.welcome().catch_up()),
                               m.welcome().partial_submit_bytes() > 0
                                   ? absl::StrFormat(", holds %d bytes of op %d", m.welcome().partial_submit_bytes(),
                                                     m.welcome().partial_submit_seq())
                                   : "");
      case wire::ServerMessage::kAck:
        return absl::StrFormat("Ack op %d as r%d", m.ack().client_seq(), m.ack().revision());
      case wire::ServerMessage::kBroadcast:
        return "Broadcast " + DescribeEntry(m.broadcast());
      case wire::ServerMessage::kCatchUp:
        return "CatchUp " + Range(m.catch_up().entries());
      case wire::ServerMessage::kEntryPart:
        return absl::StrFormat("EntryPart r%d %s", m.entry_part().revision(), DescribePart(m.entry_part().part()));
      case wire::ServerMessage::BODY_NOT_SET:
        break;
    }
    return absl::StrFormat("server message with no body (%d bytes)", size);
  }
  wire::ClientMessage m;
  if (!m.ParseFromArray(bytes.data(), size)) return absl::StrFormat("undecodable client message (%d bytes)", size);
  switch (m.body_case()) {
    case wire::ClientMessage::kHello:
      return absl::StrFormat("Hello known r%d%s", m.hello().known_revision(),
                             m.hello().partial_entry_bytes() > 0
                                 ? absl::StrFormat(", holds %d bytes of the next entry", m.hello().partial_entry_bytes())
                                 : "");
    case wire::ClientMessage::kSubmit:
      return absl::StrFormat("Submit op %d on r%d %s%s (%d intents)", m.submit().client_seq(),
                             m.submit().base_revision(), DescribeOp(m.submit().op()),
                             DescribeWrites(m.submit().writes()), m.submit().intents_size());
    case wire::ClientMessage::kSubmitPart:
      return absl::StrFormat("SubmitPart op %d on r%d %s", m.submit_part().client_seq(),
                             m.submit_part().base_revision(), DescribePart(m.submit_part().part()));
    case wire::ClientMessage::BODY_NOT_SET:
      break;
  }
  return absl::StrFormat("client message with no body (%d bytes)", size);
}

}  // namespace collabsim::ot
