"""Build side (MkDocs plugin) and run side (Starlette edge) of account personalization."""
