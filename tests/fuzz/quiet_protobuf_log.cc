// Linked into every fuzz target: Protobuf logs an error line for each
// string field with invalid UTF-8 it parses. Forged input does that all the
// time (1.6 million lines in one presence run), which buried the fuzzers'
// own output and slowed them; the targets judge a parse by its result, so
// these lines are dropped. Fatal checks inside Protobuf still abort.
#include "google/protobuf/stubs/logging.h"

namespace {

struct QuietProtobufLog {
  QuietProtobufLog() { google::protobuf::SetLogHandler(nullptr); }
};
const QuietProtobufLog quiet;

}  // namespace
