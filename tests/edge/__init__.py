"""Tests of the edge wing: a real uvicorn on loopback, real SQLite and PostgreSQL, real Chromium."""
