// The `lww` engine (last-writer-wins per paragraph, server-ordered, as
// Figma orders properties and Notion stores blocks) and `lww-document`
// (the whole text as one register: what LWW costs at the wrong grain).
#pragma once

#include <string>
#include <string_view>

#include "engines/common/engine.h"

namespace collabsim::lww {

const Engine& LwwBlockEngine();
const Engine& LwwDocumentEngine();

// A one-line summary of an LWW wire message for history files.
std::string DescribeLwwMessage(bool from_server, std::string_view bytes);

}  // namespace collabsim::lww
