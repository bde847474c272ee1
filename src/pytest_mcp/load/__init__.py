"""Load and SLOs: concurrent clients, latency statistics, Locust integration (issue 6)."""
