#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Checks Prometheus text exposition (format 0.0.4) where promtool is missing:
# HELP/TYPE before samples, valid names, labels and values, counters named
# *_total, no series twice. Exit 1 with the offending line on failure.
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
SAMPLE = re.compile(r'^(%s)(\{(%s(?:,%s)*)?\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|NaN|\+Inf|-Inf)$'
                    % (NAME, LABEL, LABEL))
types, helps, seen = {}, set(), set()
for no, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip('\n')
    def bad(why):
        sys.exit('%s:%d: %s: %s' % (sys.argv[1], no, why, line))
    if line.startswith('# HELP '):
        parts = line.split(' ', 3)
        if len(parts) < 4 or not re.fullmatch(NAME, parts[2]) or parts[2] in helps:
            bad('bad or repeated HELP')
        helps.add(parts[2])
    elif line.startswith('# TYPE '):
        parts = line.split(' ')
        if len(parts) != 4 or parts[3] not in ('gauge', 'counter', 'untyped', 'summary', 'histogram') or parts[2] in types:
            bad('bad or repeated TYPE')
        if parts[3] == 'counter' and not parts[2].endswith('_total'):
            bad('counter not named *_total')
        types[parts[2]] = parts[3]
    elif line.startswith('#') or not line:
        bad('stray comment or empty line')
    else:
        m = SAMPLE.match(line)
        if not m:
            bad('malformed sample')
        if m.group(1) not in types:
            bad('sample before its TYPE')
        series = (m.group(1), m.group(3) or '')
        if series in seen:
            bad('series repeated')
        seen.add(series)
