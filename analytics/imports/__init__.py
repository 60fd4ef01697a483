"""One importer per source (Zoom, Teams, CRM): read a file, report every bad row, then write."""
