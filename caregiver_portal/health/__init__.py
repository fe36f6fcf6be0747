"""Health: readings from wristbands (ingest, :mod:`.readings`), pure rules (:mod:`.rules`) and their use
against the database (:mod:`.service`), retention (:mod:`.retention`), trend charts (:mod:`.charts`), the
readings device API and the resident's health page."""
