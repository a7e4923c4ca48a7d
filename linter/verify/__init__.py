"""flylint on a real database: `verify` (replay on a throwaway database and measure) and
`validate` (compare Flyway's history table with the files).

One job per module: `url` (parsing, password redaction), `scratch` (the throwaway database and its
watchdog), `pg` and `mysql` (the backends: run, trace, probe), `locks` (PostgreSQL lock facts),
`seed` (a row for every empty table), `appqueries` (the live application's queries), `replay`
(Flyway's order and transactions), `measured` (measured facts into findings), `history`
(flyway_schema_history validate), `source` (where the server comes from), `report` (the trace in
the text and JSON output), `commands` (the command line).
"""
