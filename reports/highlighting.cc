// See highlighting.h.
#include "reports/highlighting.h"

#include "engines/common/check.h"
#include "reports/significance.h"

namespace collabsim::reports {

size_t FigureIndex(const std::string& key) {
  const auto& figures = SummaryFigures();
  for (size_t k = 0; k < figures.size(); ++k) {
    if (figures[k].key == key) return k;
  }
  COLLABSIM_CHECK(false && "unknown summary figure");
  return 0;
}

bool Trusted(const Group& group) {
  const Estimate& loss = group.estimates[FigureIndex("loss_rate_pct")];
  return group.failed == 0 && (loss.count == 0 || loss.mean == 0);
}

bool IsReference(const Group& group) { return !group.runs.empty() && group.runs.front()->reference(); }

const Group* Reference(const Aggregate& a, const std::string& scenario) {
  for (const std::string& engine : a.engines) {
    const Group* group = a.Find(scenario, engine);
    if (group != nullptr && IsReference(*group)) return group;
  }
  return nullptr;
}

std::vector<std::string> ChoiceEngines(const Aggregate& a) {
  std::vector<std::string> engines;
  for (const std::string& engine : a.engines) {
    bool reference = false;
    for (const std::string& scenario : a.scenarios) {
      const Group* group = a.Find(scenario, engine);
      reference = reference || (group != nullptr && IsReference(*group));
    }
    if (!reference) engines.push_back(engine);
  }
  return engines;
}

bool HasServer(const Group& group) {
  for (const results::RunResult* run : group.runs) {
    if (run->memory().server_bytes_peak() > 0) return true;
  }
  return false;
}

bool Comparable(const Group& group, size_t figure) {
  return group.estimates[figure].count > 0 && (figure != FigureIndex("server_peak_kib") || HasServer(group));
}

std::vector<double> FigureValues(const Group& group, size_t figure) {
  std::vector<double> values;
  for (const results::RunResult* run : group.runs) {
    if (const std::optional<double> v = SummaryFigures()[figure].extract(*run)) values.push_back(*v);
  }
  return values;
}

bool TiesWith(const Group& group, const Group& best, size_t figure) {
  const Estimate& mine = group.estimates[figure];
  const Estimate& theirs = best.estimates[figure];
  if (mine.mean <= theirs.mean) return true;
  if (mine.count < 2 || theirs.count < 2) return false;
  return WelchP(FigureValues(group, figure), FigureValues(best, figure)) >= kSignificance;
}

namespace {

bool Candidate(const Group* group, size_t figure) {
  return group != nullptr && !IsReference(*group) && Trusted(*group) && Comparable(*group, figure);
}

}  // namespace

const Group* BestTrusted(const Aggregate& a, const std::string& scenario, size_t figure) {
  const Group* best = nullptr;
  for (const std::string& engine : a.engines) {
    const Group* group = a.Find(scenario, engine);
    if (!Candidate(group, figure)) continue;
    if (best == nullptr || group->estimates[figure].mean < best->estimates[figure].mean) best = group;
  }
  return best;
}

std::vector<std::vector<CellMark>> MarkCells(const Aggregate& a, const std::string& scenario) {
  const size_t figures = SummaryFigures().size();
  std::vector<std::vector<CellMark>> marks(a.engines.size(), std::vector<CellMark>(figures, CellMark::kPlain));
  const size_t server = FigureIndex("server_peak_kib");
  for (size_t e = 0; e < a.engines.size(); ++e) {
    const Group* group = a.Find(scenario, a.engines[e]);
    if (group != nullptr && !HasServer(*group)) marks[e][server] = CellMark::kNoServer;
  }
  for (size_t k = 0; k < figures; ++k) {
    const Group* best = BestTrusted(a, scenario, k);
    if (best == nullptr) continue;
    std::vector<size_t> tied;
    size_t candidates = 0;
    for (size_t e = 0; e < a.engines.size(); ++e) {
      const Group* group = a.Find(scenario, a.engines[e]);
      if (!Candidate(group, k)) continue;
      ++candidates;
      if (TiesWith(*group, *best, k)) tied.push_back(e);
    }
    if (candidates < 2 || tied.size() == candidates) continue;
    for (size_t e : tied) marks[e][k] = CellMark::kBest;
  }
  return marks;
}

}  // namespace collabsim::reports
