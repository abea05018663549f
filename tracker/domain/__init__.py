"""Pure domain rules: no Flask, no database. Shared by the pages, the API and the CLI."""
