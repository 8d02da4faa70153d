// Entry point of the `collabsim` binary. What a command prints is part of
// its answer: output that could not be written (a full disk, a closed
// pipe) is an error, exit 2, never a silent success.
#include <cstdio>
#include <iostream>

#include "apps/commands.h"
#include "apps/run_case.h"

int main(int argc, char** argv) {
  const int code = collabsim::apps::Main(argc, argv);
  std::cout.flush();
  if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::cerr << "collabsim: cannot write to standard output (disk full, or the reader went away)\n";
    return collabsim::apps::kExitBadInput;
  }
  return code;
}
