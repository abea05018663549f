"""The weekly digest for engineering managers: `flask digest [--team SLUG] [--send]`."""
