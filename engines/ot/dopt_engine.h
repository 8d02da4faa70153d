// The `ot-dopt` negative control: peer-to-peer OT without a server in the
// style of dOPT (see dopt_site.h). Wrong on purpose; never compared.
#pragma once

#include "engines/common/engine.h"

namespace collabsim::dopt {

const Engine& DoptEngine();

}  // namespace collabsim::dopt
