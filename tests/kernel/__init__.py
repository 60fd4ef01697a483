"""Tests of the contracts and the kernel both wings share: manifest, events store, taxonomy, accounts."""
