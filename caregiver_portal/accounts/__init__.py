"""Sites, grids, users and devices: the tables, creating accounts and device tokens, signing in, who is
calling (:mod:`.deps`), roles (:mod:`.access`), and the admin pages for sites, users and devices."""
