"""Account-traffic analytics over the event store: reports, imports, scoring, alerts, dashboard."""
