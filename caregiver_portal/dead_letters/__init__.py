"""Dead letters: requests a kiosk or bridge stored but the portal refused for good, reported by the device so an
admin sees what never arrived (and can tell the resident or fix the cause)."""
