// Summaries of CRDT wire messages (see crdt_message_text.h).
#include "engines/crdt/crdt_message_text.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "crdt_wire.pb.h"

namespace collabsim::crdt {
namespace {

std::string DescribeVersion(const wire::VersionVector& version) {
  std::string out;
  for (const wire::VersionEntry& e : version.entries()) {
    absl::StrAppendFormat(&out, "%s%d:%d", out.empty() ? "" : " ", e.agent(), e.next_counter());
  }
  return "{" + out + "}";
}

std::string DescribeOp(const wire::Op& op) {
  std::string out = absl::StrFormat("%d.%d ", op.agent(), op.counter());
  switch (op.body_case()) {
    case wire::Op::kInsert: {
      const std::string& text = op.insert().text();
      const std::string shown = text.size() <= 24 ? text : text.substr(0, 20) + "...";
      absl::StrAppendFormat(&out, "insert \"%s\"", absl::CEscape(shown));
      if (op.insert().has_origin_left()) {
        absl::StrAppendFormat(&out, " after %d.%d", op.insert().origin_left().agent(),
                              op.insert().origin_left().counter());
      } else {
        out += " at the start";
      }
      return out;
    }
    case wire::Op::kDelete: {
      uint64_t length = 0;
      for (const wire::DeleteRange& r : op.delete_().ranges()) length += r.length();
      absl::StrAppendFormat(&out, "delete %d characters in %d ranges", length, op.delete_().ranges_size());
      return out;
    }
    case wire::Op::kProperties: {
      const auto& writes = op.properties().writes();
      absl::StrAppendFormat(&out, "set %d properties", writes.size());
      if (!writes.empty()) absl::StrAppendFormat(&out, " (%s.%s, ...)", writes[0].object(), writes[0].property());
      return out;
    }
    case wire::Op::BODY_NOT_SET:
      break;
  }
  return out + "(no body)";
}

std::string DescribeOps(const google::protobuf::RepeatedPtrField<wire::Op>& ops) {
  if (ops.empty()) return "no ops";
  if (ops.size() == 1) return "1 op: " + DescribeOp(ops[0]);
  return absl::StrFormat("%d ops: %s ... %s", ops.size(), DescribeOp(ops[0]), DescribeOp(ops[ops.size() - 1]));
}

}  // namespace

std::string DescribeCrdtMessage(bool from_server, std::string_view bytes) {
  const int size = static_cast<int>(bytes.size());
  if (from_server) {
    wire::ServerMessage m;
    if (!m.ParseFromArray(bytes.data(), size)) return absl::StrFormat("undecodable server message (%d bytes)", size);
    switch (m.body_case()) {
      case wire::ServerMessage::kWelcome:
        return absl::StrFormat("Welcome server has %s, %d chunks follow", DescribeVersion(m.welcome().version()),
                               m.welcome().chunks());
      case wire::ServerMessage::kChunk:
        return "Chunk " + DescribeOps(m.chunk().ops());
      case wire::ServerMessage::kAck:
        return absl::StrFormat("Ack agent %d up to %d", m.ack().agent(), m.ack().next_counter());
      case wire::ServerMessage::BODY_NOT_SET:
        break;
    }
    return absl::StrFormat("server message with no body (%d bytes)", size);
  }
  wire::ClientMessage m;
  if (!m.ParseFromArray(bytes.data(), size)) return absl::StrFormat("undecodable client message (%d bytes)", size);
  switch (m.body_case()) {
    case wire::ClientMessage::kHello:
      return "Hello client has " + DescribeVersion(m.hello().version());
    case wire::ClientMessage::kPush:
      return "Push " + DescribeOps(m.push().ops());
    case wire::ClientMessage::BODY_NOT_SET:
      break;
  }
  return absl::StrFormat("client message with no body (%d bytes)", size);
}

std::string DescribeCrdtPeerMessage(std::string_view bytes) {
  const int size = static_cast<int>(bytes.size());
  wire::PeerMessage m;
  if (!m.ParseFromArray(bytes.data(), size)) return absl::StrFormat("undecodable peer message (%d bytes)", size);
  switch (m.body_case()) {
    case wire::PeerMessage::kHello:
      return "Hello peer has " + DescribeVersion(m.hello().version());
    case wire::PeerMessage::kCatchUp:
      return absl::StrFormat("CatchUp %d chunks follow", m.catch_up().chunks());
    case wire::PeerMessage::kChanges:
      return "Changes " + DescribeOps(m.changes().ops());
    case wire::PeerMessage::kAck:
      return absl::StrFormat("Ack agent %d up to %d", m.ack().agent(), m.ack().next_counter());
    case wire::PeerMessage::BODY_NOT_SET:
      break;
  }
  return absl::StrFormat("peer message with no body (%d bytes)", size);
}

}  // namespace collabsim::crdt
