"""Services: keyword-only functions that own one unit of work on a session."""
