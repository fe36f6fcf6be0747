"""Review of slow emergencies and false alarms: every emergency not accepted within 180 s opens a review
item (:mod:`.rules` decides, :mod:`.service` opens and closes them), which an admin closes with a reason
(:mod:`.web`, /admin/reviews); the monthly report counts them."""
