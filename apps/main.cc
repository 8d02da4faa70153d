// Entry point of the `collabsim` binary.
#include "apps/commands.h"

int main(int argc, char** argv) { return collabsim::apps::Main(argc, argv); }
