"""``storycircle doctor``: check that everything a member may open still opens."""
