// The `lww` engine (last-writer-wins per paragraph, server-ordered, as
// Figma orders properties and Notion stores blocks) and `lww-document`
// (the whole text as one register: what LWW costs at the wrong grain), and
// `lww-wallclock`, a negative control ordered by the writers' own clocks.
#pragma once

#include <string>
#include <string_view>

#include "engines/common/engine.h"

namespace collabsim::lww {

const Engine& LwwBlockEngine();
const Engine& LwwDocumentEngine();
// The negative control: writes ordered by their writers' skewed clocks.
const Engine& LwwWallclockEngine();

// A one-line summary of an LWW wire message for history files.
std::string DescribeLwwMessage(bool from_server, std::string_view bytes);

}  // namespace collabsim::lww
