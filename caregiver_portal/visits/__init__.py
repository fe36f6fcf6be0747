"""Grid workers' visit diary (民情日记): log a home visit, the week against the target, and a need found turned
into a help request or a grocery order."""
