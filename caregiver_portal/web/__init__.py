"""Browser pages: sign-in and the live alert board."""
