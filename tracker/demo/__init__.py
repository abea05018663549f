"""A realistic demo availability program for a new tracker: `flask --app app demo`."""
