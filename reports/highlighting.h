// Which cells of a scenario's summary table are marked best, by rules a
// reader can trust without reading the whole table:
// - A group (scenario x engine) with a failed run, or one that lost typed
//   words, is never best on any column: fast because it dropped edits is
//   not fast.
// - An engine without a server (mesh) shows "no server" in the server
//   memory column, never a best 0.
// - Best is the lowest mean among the trusted groups; every trusted group
//   whose per-seed values are not significantly above it (Welch's t,
//   two-sided, p >= 0.05; equal means where a side has one seed) shares the
//   mark, so noise between seeds is shown as a tie.
// - A column where every trusted group ties, or with fewer than two, has
//   no mark: there is nothing to choose between.
// - The ideal reference (engines/ideal) is never marked: it is the floor
//   the engines are held against, not one of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/aggregate.h"

namespace collabsim::reports {

enum class CellMark { kPlain, kBest, kNoServer };

// Not failed and lost nothing that was typed.
bool Trusted(const Group& group);

// The ideal reference's group (its runs say `reference`).
bool IsReference(const Group& group);

// The scenario's ideal reference group; nullptr when it was not run.
const Group* Reference(const Aggregate& a, const std::string& scenario);

// The engines of `a` that are choices: all but the ideal reference.
std::vector<std::string> ChoiceEngines(const Aggregate& a);

// False when no run of the group had a server (every peak is 0).
bool HasServer(const Group& group);

// Whether the group has a value to compare for the figure: some run has it,
// and it is not the server memory of an engine without a server.
bool Comparable(const Group& group, size_t figure);

// The group's per-seed values of SummaryFigures()[figure], runs where it
// means nothing left out.
std::vector<double> FigureValues(const Group& group, size_t figure);

// Whether `group`'s figure is not significantly above `best`'s (the rule
// above): a tie with the best, or the best itself.
bool TiesWith(const Group& group, const Group& best, size_t figure);

// marks[e][k]: engine a.engines[e], figure SummaryFigures()[k]; pairs that
// were not run are kPlain.
std::vector<std::vector<CellMark>> MarkCells(const Aggregate& a, const std::string& scenario);

// The lowest trusted group of the figure in the scenario; nullptr when no
// trusted group has it.
const Group* BestTrusted(const Aggregate& a, const std::string& scenario, size_t figure);

// SummaryFigures() index of `key`. REQUIRES: a known key.
size_t FigureIndex(const std::string& key);

}  // namespace collabsim::reports
