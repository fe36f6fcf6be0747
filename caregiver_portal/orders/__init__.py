"""Grocery proxy orders (代购): the catalog (:mod:`.catalog`), orders from kiosks and grid workers through
claim, bought and delivered (:mod:`.service`), receipt photos (:mod:`.receipts`), the device API and the pages."""
