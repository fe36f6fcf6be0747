"""People in bulk: residents, volunteers and grid workers imported from the spreadsheet a centre already
keeps (preview every row, then confirm all or nothing) and exported in the same format. Pure reading
and rules (:mod:`caregiver_portal.core.sheets`, :mod:`.fields`, :mod:`.residents_rules`,
:mod:`.volunteers_rules`) apart from the database (:mod:`.service`) and the pages (:mod:`.web`)."""
