"""The go-live checklist: what still stops a centre from relying on Anxin, each item with where to fix it.
Facts are gathered from the database (:mod:`.service`); what they mean is pure (:mod:`.rules`)."""
