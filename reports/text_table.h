// Plain-text tables with aligned columns, for terminal summaries.
#pragma once

#include <string>
#include <vector>

namespace collabsim::reports {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  // REQUIRES: cells.size() == header size.
  void AddRow(std::vector<std::string> cells);
  // First column left-aligned, the rest right-aligned (numbers).
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace collabsim::reports
