// OT wire messages in a few words, for history files: which message, and the
// fields a person reading a failing run needs (revisions, sequence numbers,
// what an op does).
#pragma once

#include <string>
#include <string_view>

namespace collabsim::ot {

// `from_server`: the bytes are a ServerMessage (else a ClientMessage).
std::string DescribeOtMessage(bool from_server, std::string_view bytes);

}  // namespace collabsim::ot
