"""Health and device rules: pure rules (:mod:`.rules`), their use against the database
(:mod:`.service`) and the readings retention job (:mod:`.retention`)."""
