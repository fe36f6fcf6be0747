"""Escalation until accepted: a pure policy (:mod:`.policy`), durable deadlines in the
``escalations`` table (:mod:`.deadlines`), recipients resolved from the database
(:mod:`.recipients`) and the sweep the ticker runs (:mod:`.sweep`)."""
