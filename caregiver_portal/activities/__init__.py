"""Activities (活动): sign-ups with a waitlist that moves up by itself, check-in, reminders as timer rows
(:mod:`.reminders`) that the ticker turns into bot messages (:mod:`.reminder_delivery`), the device API and pages."""
