"""What runs: the `aitoday` CLI, RQ queues and jobs, and the cron loop."""
