"""A dashboard that stays connected while a new run is published (tests/it/sql.rs).

Two connections (psycopg's simple protocol, and server-side prepared statements reused
across the publication) ask the same question: how many social responses the data holds
and what the run's October management response rate is. Every answer must be one run's
pair, never a mix. Prints one JSON line when connected ("ready"), then, once the new pair
has been seen on both, every answer seen and whether the connections stayed the same.

Usage: python3 live.py PORT OLD_RESPONSES SECONDS
"""

import json
import sys
import time

import psycopg

port, old, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
QUESTION = (
    "SELECT (SELECT count(*) FROM social_responses) AS responses, "
    "(SELECT max(value) FROM kpi_values WHERE kpi = 'm.management_response_rate' "
    "AND period = '2026-10') AS rate, "
    "(SELECT count(*) FROM social_responses WHERE responded_at >= %s) AS since"
)
dsn = f"host=127.0.0.1 port={port} user=misura dbname=misura"
simple = psycopg.connect(dsn, autocommit=True, cursor_factory=psycopg.ClientCursor)
prepared = psycopg.connect(dsn, autocommit=True, prepare_threshold=0)
pids = [c.info.backend_pid for c in (simple, prepared)]


def ask(conn):
    row = conn.execute(QUESTION, ("2026-10-01",)).fetchone()
    return [int(row[0]), None if row[1] is None else float(row[1]), int(row[2])]


seen = {"simple": [ask(simple)], "prepared": [ask(prepared)]}
print(json.dumps({"ready": True, "first": seen["simple"][0]}), flush=True)
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    for name, conn in (("simple", simple), ("prepared", prepared)):
        seen[name].append(ask(conn))
    if all(s[-1][0] != old for s in seen.values()):
        break
    time.sleep(0.05)
# One more each: the new run stays.
for name, conn in (("simple", simple), ("prepared", prepared)):
    seen[name].append(ask(conn))
same = pids == [c.info.backend_pid for c in (simple, prepared)] and not (
    simple.closed or prepared.closed
)
print(json.dumps({"seen": seen, "same_connections": same}), flush=True)
