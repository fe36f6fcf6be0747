"""Offers: a new grocery order or non-emergency help request is offered to the nearest volunteers first."""
