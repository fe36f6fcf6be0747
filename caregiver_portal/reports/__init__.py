"""Monthly reports per site (response times against the TEC anchors, orders, activities, ratings) and their
page and CSV export."""
