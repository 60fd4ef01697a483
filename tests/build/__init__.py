"""Tests of the build wing: front matter, the plugin, the built demo site."""
