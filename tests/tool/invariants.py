#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# The rules of include/tcptw_format.h that span a report's tables, which the
# tool does not check (it refuses a report only for what one line or one
# count shows): held against the golden reports of format 1.1 and later, so
# that the hand-written ones hold numbers a module could write. Exit 1 with
# every broken rule.
import ipaddress
import sys

PATHS = ['estab', 'syn_sent', 'syn_recv', 'tw']


def num(v):
    return None if v == '-' else int(v)


def parse(path):
    lines = open(path).read().split('\n')
    major, minor = map(int, lines[0].split()[1].split('.'))
    summary, tables, i = {}, {}, 1
    while lines[i]:
        k, v = lines[i].split(' ')
        summary[k] = v
        i += 1
    i += 1
    while i < len(lines) and lines[i]:
        header = lines[i].split(' ')
        rows = []
        i += 1
        while i < len(lines) and lines[i]:
            rows.append(dict(zip(header, lines[i].split(' '))))
            i += 1
        tables[header[0]] = rows
        i += 1
    return minor, summary, tables


def addr_key(a):
    ip = ipaddress.ip_address(a)
    return (ip.version, ip.packed)


def check(path):
    minor, s, t = parse(path)
    errs = []

    def want(cond, what):
        if not cond:
            errs.append(what)

    def key(k):
        return num(s[k]) if k in s else None

    # 1.0 reports are VM captures and edge cases (counts at 2^64-1).
    if minor < 1:
        return errs
    peers = t.get('peer', [])
    named = [p for p in peers if p['peer'] != 'other']
    want(key('tw_count') == sum(num(p['tw']) for p in peers),
         'tw_count is the sum of the peer table\'s tw')
    if key('tw_buckets') is not None and key('tw_max'):
        want(key('tw_pressure_pct') == 100 * key('tw_buckets') // key('tw_max'),
             'tw_pressure_pct is 100 * tw_buckets / tw_max')
    order = [(-num(p['tw']), -(num(p.get('paws', '0')) or 0), addr_key(p['peer']))
             for p in named]
    want(order == sorted(order), 'peers sorted by tw, paws, address')

    paws = t.get('paws_peer', [])
    rows = [r for r in paws if r['paws_peer'] != 'other']
    other = [r for r in paws if r['paws_peer'] == 'other']
    if 'nat' in (peers[0] if peers else {}):
        want(key('nat_suspects') == sum(num(p['nat']) or 0 for p in peers),
             'nat_suspects counts the peer rows with nat 1')
    for p in named:
        mine = [r for r in rows if r['paws_peer'] == p['peer']]
        want(num(p['paws']) == sum(num(r['rejects']) for r in mine),
             'peer %s: paws is the sum of its PAWS rows' % p['peer'])
        want(num(p['nat']) == int(any(num(r['nat']) for r in mine)),
             'peer %s: nat is 1 when one of its PAWS rows has nat 1' % p['peer'])
    for r in rows:
        want(r['paws_peer'] in [p['peer'] for p in named] or
             any(p['peer'] == 'other' for p in peers),
             'PAWS row %s has a peer row' % r['paws_peer'])
    for c in PATHS:
        want(key('paws_rej_' + c) == sum(num(r[c]) for r in paws),
             'paws_rej_%s is the sum of the PAWS table\'s %s' % (c, c))
    order = [(-num(r['rejects']), addr_key(r['paws_peer']), num(r['lport']))
             for r in rows]
    want(order == sorted(order), 'PAWS rows sorted by rejects, address, lport')
    rej = {c: key('paws_rej_' + c) for c in PATHS}
    want(key('paws_active') >= rej['syn_sent'],
         'paws_active holds at least paws_rej_syn_sent')
    tw_apart = key('paws_timewait') is not None
    want(key('paws_estab') >= rej['estab'] + rej['syn_recv'] +
         (0 if tw_apart else rej['tw']),
         'paws_estab holds at least what tcptw saw on its paths')
    if tw_apart:
        want(key('paws_timewait') >= rej['tw'],
             'paws_timewait holds at least paws_rej_tw')
    if minor < 2:
        return errs

    old = key('paws_rej_old_ack')
    if old is not None:
        want(old == sum(num(r['old_ack']) for r in paws),
             'paws_rej_old_ack is the sum of the PAWS table\'s old_ack')
        want(key('paws_old_ack') is None or key('paws_old_ack') >= old,
             'paws_old_ack holds at least paws_rej_old_ack')
    want(key('paws_dropped') <= key('paws_other'),
         'paws_dropped is part of paws_other')
    if key('paws_rows') < key('paws_max'):
        want(key('paws_dropped') == key('paws_other'),
             'below the cap every reject in "other" found no free row')
    for r in other:
        want(num(r['nat']) in (None, 0), 'the PAWS "other" row has nat 0')
    return errs


failed = 0
for path in sys.argv[1:]:
    for e in check(path):
        print('%s: %s' % (path, e))
        failed = 1
sys.exit(failed)
