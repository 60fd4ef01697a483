"""Analytics sub-commands of `abm`, one module per command, registered as entry points."""
