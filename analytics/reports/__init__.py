"""One report per module: a query over the store and a build() that returns rows."""
