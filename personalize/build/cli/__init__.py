"""The `abm` sub-commands of the build wing."""
