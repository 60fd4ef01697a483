"""The `abm` sub-commands of the edge wing."""
