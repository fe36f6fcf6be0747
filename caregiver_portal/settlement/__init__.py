"""Money settled for grocery orders: the rules, the residents' prepaid balances, what the centre owes volunteers."""
