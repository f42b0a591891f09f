"""Building and reading the programme: editions, sessions, rooms and speakers; the programme
file (its spec, checks, import and export); the speakers' corner."""
