"""The MkDocs plugin and what only it uses: front matter, slots, listing, the private split."""
