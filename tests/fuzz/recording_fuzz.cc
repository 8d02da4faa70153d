// Recordings (`run --record`): reading one never crashes, and whatever is
// accepted holds a scenario that validates and step columns of one length.
#include <cstdint>
#include <string_view>

#include "apps/recording.h"
#include "engines/common/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace collabsim;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<recording::Recording> recorded = apps::ParseRecording(bytes, "fuzz.rec");
  if (!recorded.ok()) return 0;
  COLLABSIM_CHECK(apps::StepsOf(*recorded).size() == static_cast<size_t>(recorded->step_digest_size()));
  return 0;
}
