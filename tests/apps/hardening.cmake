# Hostile input, end to end: each case here once crashed, hung, ran a
# command, wrote outside the working directory, clobbered a file or gave a
# wrong answer. Each must now be refused with exit 2 and a message naming
# the file, line and field, or handled without harm. Included from
# tests/CMakeLists.txt (cli_test, CLI, EXPECT come from there).
set(HOSTILE ${CMAKE_CURRENT_SOURCE_DIR}/apps/hostile)
set(HOSTILE_OUT ${CMAKE_CURRENT_BINARY_DIR}/hostile)
file(MAKE_DIRECTORY ${HOSTILE_OUT})

# A bash test in its own scratch folder under build/tests/hostile.
function(hostile_test name script)
  file(MAKE_DIRECTORY ${HOSTILE_OUT}/${name})
  add_test(NAME cli.hostile_${name} COMMAND bash -c "set -u\ncd ${HOSTILE_OUT}/${name} || exit 1\n${script}")
  set_tests_properties(cli.hostile_${name} PROPERTIES LABELS cli)
endfunction()

# Names never become code or paths: control characters are refused at load
# time; charts take names from data files only (report_test checks every
# byte); file names built from names keep only safe bytes.
cli_test(hostile_gnuplot_name 2 "gnuplot_name.textproto:2:1: field Scenario.name: holds control character 0x0a"
  run --scenario ${HOSTILE}/gnuplot_name.textproto)
hostile_test(gnuplot_compare "rm -f PWNED
${CLI} compare --suite ${HOSTILE}/gnuplot_name.textproto --engines ot --seeds 1 --out out
code=$?
test $code -eq 2 && test ! -e PWNED && test ! -e out/PWNED")
hostile_test(gnuplot_report "rm -rf PWNED out
${CLI} report ${HOSTILE}/results_gnuplot_engine.json --out out 2>err.txt
code=$?
test $code -eq 2 && test ! -e PWNED && test ! -e out/PWNED && grep -q 'field runs.0..engine: must be 1-200 bytes with no control characters' err.txt")
cli_test(hostile_ansi_name 2 "ansi_name.textproto:2:1: field Scenario.name: holds control character 0x1b"
  run --scenario ${HOSTILE}/ansi_name.textproto)
cli_test(hostile_invalid_utf8 2 "invalid_utf8.textproto:3:1: field Scenario.description: is not valid UTF-8"
  run --scenario ${HOSTILE}/invalid_utf8.textproto)
hostile_test(history_name_traversal "rm -rf a && mkdir -p a/b/c && cd a/b/c
${CLI} run --scenario ${HOSTILE}/traversal_name.textproto > out.txt
code=$?
test $code -eq 1 && test -f 'collabsim-_.._.._escaped-ot-seed1.history' && test \"$(ls -A ../.. | tr '\\n' ' ')\" = 'b ' \\
  && test \"$(ls -A .. | tr '\\n' ' ')\" = 'c ' && grep -q 'history written to collabsim-_.._.._escaped-ot-seed1.history' out.txt")

# Output paths: a device or a symlink is written in place, never replaced;
# the checks before a run empty nothing; every write error is exit 2.
hostile_test(json_to_dev_full "${CLI} run --scenario two-continents --seed 1 --json /dev/full > out.txt 2> err.txt
code=$?
test $code -eq 2 && test -c /dev/full && grep -q 'cannot write /dev/full: write: No space left on device' err.txt")
hostile_test(json_through_symlink "rm -f target.json link.json && ln -s target.json link.json
${CLI} run --scenario two-continents --seed 1 --json link.json > /dev/null
code=$?
test $code -eq 0 && test -L link.json && grep -q trace_hash target.json")
hostile_test(checks_empty_nothing "printf keep > keep.txt && rm -f keep.rec && ln -s keep.txt keep.rec
${CLI} run --scenario two-continents --seed 1 --record keep.rec --json /no/such/dir/x.json > /dev/null 2> err.txt
code=$?
test $code -eq 2 && test \"$(cat keep.txt)\" = keep && grep -q 'folder /no/such/dir does not exist' err.txt")
hostile_test(stdout_full "for command in 'show team' 'list' 'run --scenario two-continents --seed 1'
do
  ${CLI} $command > /dev/full 2> err.txt
  code=$?
  if test $code -ne 2 || ! grep -q 'cannot write to standard output' err.txt
  then
    echo \"$command: exit $code\"
    exit 1
  fi
done")

# Values that pass a range check but break the simulator: floors, with
# file:line:column and the field.
cli_test(hostile_tiny_bandwidth 2 "tiny_bandwidth.textproto:5:10: field Link.bandwidth_kbps: must be 0 .unlimited. or in .1, 1e9."
  run --scenario ${HOSTILE}/tiny_bandwidth.textproto)
cli_test(hostile_tiny_presence_interval 2 "tiny_presence_interval.textproto:10:12: field Presence.broadcast_interval_ms"
  run --scenario ${HOSTILE}/tiny_presence_interval.textproto)
cli_test(hostile_tiny_presence_ttl 2 "tiny_presence_ttl.textproto:10:12: field Presence.ttl_s"
  run --scenario ${HOSTILE}/tiny_presence_ttl.textproto)
cli_test(hostile_drop_storm 2 "drop_storm.textproto:11:3: field Drops.mean_interval_s: must be 0 .no drops. or at least 1 s"
  run --scenario ${HOSTILE}/drop_storm.textproto)
cli_test(hostile_slow_typist 2 "slow_typist.textproto:7:10: field Typing.words_per_minute: must be in .1, 1000."
  run --scenario ${HOSTILE}/slow_typist.textproto)
cli_test(hostile_zero_backoff 2 "zero_backoff.textproto:11:21: field Backoff.initial_ms: must be in .1, 86400000."
  run --scenario ${HOSTILE}/zero_backoff.textproto)
cli_test(hostile_bad_direction 2 "bad_direction.textproto:10:63: field Partition.direction: 99 is not a Direction .known: BOTH, TO_SERVER, FROM_SERVER."
  run --scenario ${HOSTILE}/bad_direction.textproto)

# Parsers: nesting limits, numbers past double's range, size caps.
hostile_test(deep_textproto "open=$(printf 'mixture { components { weight: 1 delay { %.0s' $(seq 3000))
close=$(printf '} } } %.0s' $(seq 3000))
printf 'name: \"deep\"\\ngroups { count: 2 link { latency { %s constant_ms: 1 %s } } }\\n' \"$open\" \"$close\" > deep.textproto
${EXPECT} 2 'deep.textproto:2:[0-9]+: Message is too deep, the parser exceeded the configured recursion limit of 32' ${CLI} run --scenario deep.textproto")
hostile_test(deep_json "open=$(printf '{\"mixture\": {\"components\": [{\"weight\": 1, \"delay\": %.0s' $(seq 3000))
close=$(printf '}]}}%.0s' $(seq 3000))
printf '{\"name\": \"deep\", \"groups\": [{\"count\": 2, \"link\": {\"latency\": %s{\"constant_ms\": 1}%s}}]}\\n' \"$open\" \"$close\" > deep.json
${EXPECT} 2 'deep.json:1:[0-9]+: nested more than 32 levels deep' ${CLI} run --scenario deep.json")
cli_test(hostile_huge_number_scenario 2 "huge_number.json: JSON number out of range: .*number overflow parsing '1e400'"
  run --scenario ${HOSTILE}/huge_number.json)
cli_test(hostile_huge_number_trace 2 "huge_number.json.gz: JSON number out of range: .*number overflow parsing '1e400'"
  trace --engine crdt ${HOSTILE}/huge_number.json.gz)
cli_test(hostile_dev_zero 2 "/dev/zero: scenario file larger than 16 MiB" run --scenario /dev/zero)
cli_test(hostile_directory_scenario 2 "hostile: is a directory, not a scenario file" run --scenario ${HOSTILE})
hostile_test(gzip_bomb "test -s bomb.json.gz || head -c 200000000 /dev/zero | gzip -1 > bomb.json.gz
${EXPECT} 2 'bomb.json.gz: decompresses to more than 128 MiB' ${CLI} trace --engine crdt bomb.json.gz")
hostile_test(huge_results "rm -f big.json && truncate -s 300M big.json
${EXPECT} 2 'big.json: results file larger than 256 MiB' ${CLI} report big.json --out out
code=$?
rm -f big.json
exit $code")

# One seed parser for --seed and --seeds.
cli_test(hostile_seed_negative 2 "--seed: '-1' is not a seed" run --scenario team --seed -1)
cli_test(hostile_seed_empty 2 "--seed: ('' is not a seed|1 required TEXT missing)" run --scenario team --seed "")
cli_test(hostile_shrink_seed_negative 2 "--seed: '-1' is not a seed" shrink --scenario team --engine ot-dopt --seed -1)
cli_test(hostile_seeds_blank 2 "--seeds: ' 1' is not a seed or a range" check --scenario team --seeds " 1")

# Results files are read strictly: types, at least one run, bounded arrays.
cli_test(hostile_results_empty 2 "results_empty.json: field runs: no runs" report ${HOSTILE}/results_empty.json --out ${HOSTILE_OUT}/r)
cli_test(hostile_results_null 2 "results_null.json: top level: expected an object" report ${HOSTILE}/results_null.json --out ${HOSTILE_OUT}/r)
cli_test(hostile_results_nested_array 2 "results_nested_array.json: field runs.0.: expected an object"
  report ${HOSTILE}/results_nested_array.json --out ${HOSTILE_OUT}/r)
cli_test(hostile_results_bool_as_string 2 "results_bool_as_string.json: field runs.0..converged: expected a bool, found string"
  report ${HOSTILE}/results_bool_as_string.json --out ${HOSTILE_OUT}/r)
cli_test(hostile_results_quantiles 2 "results_quantiles.json: field runs.0..remote_visible.quantiles_ms: has 102 entries. 0 or 101"
  report ${HOSTILE}/results_quantiles.json --out ${HOSTILE_OUT}/r)

# A recording whose trace hash was changed does not replay as a match.
hostile_test(replay_wrong_trace_hash "${CLI} run --scenario two-continents --seed 2 --record good.rec > run.txt || exit 1
hash=$(sed -n 's/.*trace_hash[^0-9a-f]*\\([0-9a-f]\\{16,\\}\\).*/\\1/p' run.txt | head -1)
if test -z \"$hash\"
then
  echo 'no trace hash printed'
  exit 1
fi
sed \"s/$hash/$(printf '%s' \"$hash\" | tr '0-9a-f' '1-9a-f0')/\" good.rec > bad.rec
${EXPECT} 1 'REPLAY DIVERGED: all [0-9]+ steps match, but the trace hash is' ${CLI} replay bad.rec")

# Negative controls are refused by `trace`, not failed as if the trace were bad.
cli_test(hostile_trace_dopt 2 "ot-dopt is a negative control" trace --engine ot-dopt ${CMAKE_CURRENT_SOURCE_DIR}/apps/traces/tiny.json.gz)
cli_test(hostile_trace_wallclock 2 "lww-wallclock is a negative control" trace --engine lww-wallclock ${CMAKE_CURRENT_SOURCE_DIR}/apps/traces/tiny.json.gz)

# lww keys stay bounded: a trace that appends 16,000 paragraphs in order
# (past the ~14,800 where fractional keys once passed the wire's 512 bytes
# and every later change was refused) replays through lww to its end text.
hostile_test(lww_many_paragraphs "{
  printf '{\"startContent\": \"\", \"txns\": ['
  text=''
  position=0
  for k in $(seq 1 16000)
  do
    word=\"w$k\"
    test $k -gt 1 && printf ', '
    printf '{\"time\": \"t%d\", \"patches\": [[%d, 0, \"%s\\\\n\"]]}' $k $position $word
    position=$((position + \${#word} + 1))
  done
  printf '], \"endContent\": \"'
  for k in $(seq 1 16000)
  do
    printf 'w%d\\\\n' $k
  done
  printf '\"}'
} | gzip -1 > paragraphs.json.gz
${EXPECT} 0 'endContent: +matched by local replay, remote replay and the decoded copy' ${CLI} trace --engine lww paragraphs.json.gz")
