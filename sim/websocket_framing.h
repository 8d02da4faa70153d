// Bytes a WebSocket frame adds around a payload (RFC 6455, section 5.2):
// 2 header bytes, plus 2 or 8 for the extended length, plus a 4-byte mask on
// frames a client sends. Wire figures count it, as a real deployment pays it.
#pragma once

#include <cstdint>

namespace collabsim::sim {

inline uint64_t WebSocketFrameOverhead(uint64_t payload_bytes, bool client_to_server) {
  uint64_t header = 2;
  if (payload_bytes > 65535) {
    header += 8;
  } else if (payload_bytes > 125) {
    header += 2;
  }
  return header + (client_to_server ? 4 : 0);
}

}  // namespace collabsim::sim
