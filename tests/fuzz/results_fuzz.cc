// Results files (`report`'s input): reading never crashes, and a file that
// is accepted aggregates and renders to every text output.
#include <cstdint>
#include <string_view>

#include "engines/registry.h"
#include "reports/aggregate.h"
#include "reports/csv_writer.h"
#include "reports/markdown_summary.h"
#include "reports/results_file.h"
#include "reports/terminal_summary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace collabsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<results::ResultsFile> file = reports::ParseResultsFile(text, "fuzz.json");
  if (!file.ok()) return 0;
  std::vector<std::string> order;
  for (const Engine* engine : AllEngines()) order.push_back(engine->traits().name);
  reports::Canonicalize(order, &*file);
  const reports::Aggregate aggregate = reports::AggregateResults(*file, order);
  (void)reports::MarkdownSummary(aggregate);
  (void)reports::RunsToCsv(*file);
  (void)reports::ResultsToJson(*file);
  return 0;
}
