"""The demo: a bundled feed set served locally, the `aitoday demo` flow and the outbox preview."""
