"""Shared infrastructure of the portal, used by every feature and depending on none: the database and its
clock (:mod:`.db`, :mod:`.clock`, :mod:`.models`), settings, errors, password and token security, the
live-event hub (:mod:`.live`), middleware, and the shared pieces of device routes (:mod:`.api`,
:mod:`.schemas`) and browser pages (:mod:`.templating`, :mod:`.csrf`, :mod:`.web`, :mod:`.deps`)."""
