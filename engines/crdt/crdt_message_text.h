// CRDT wire messages in a few words, for history files: which message, the
// version vectors exchanged, and each op as agent.counter plus what it does.
#pragma once

#include <string>
#include <string_view>

namespace collabsim::crdt {

// `from_server`: the bytes are a ServerMessage (else a ClientMessage).
std::string DescribeCrdtMessage(bool from_server, std::string_view bytes);
// A mesh PeerMessage.
std::string DescribeCrdtPeerMessage(std::string_view bytes);

}  // namespace collabsim::crdt
