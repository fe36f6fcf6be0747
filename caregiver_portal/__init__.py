"""caregiver_portal package."""
