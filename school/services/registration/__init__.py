"""Who comes and who sits where: registrations and their checks, seats and waiting lines,
groups allocated by preference, the organisers' list, and personal data (privacy)."""
