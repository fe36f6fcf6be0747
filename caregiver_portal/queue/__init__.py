"""The volunteers' queue, live: grocery orders and activity sign-ups as they come in (server-sent events to the
order queue page) and, when the site wants it, as a bot message to the volunteers of the resident's grid."""
