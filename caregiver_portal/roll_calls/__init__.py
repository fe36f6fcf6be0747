"""Roll calls (点名) for a heatwave, typhoon or power cut: started for a grid or the site, answered by band,
kiosk or a volunteer's visit, followed live by grid workers, unanswered residents escalated after a set
time, and a report afterwards. :mod:`.rules` is pure; :mod:`.service` stores; :mod:`.live` is the feed of
the live list; :mod:`.api` (devices) and :mod:`.web` (people) are the doors."""
