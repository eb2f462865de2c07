"""The built-in demo aggregator: a Bridge-API-v3-style bank aggregator and its demo bank (see README.md).

Entry points: `sandbox.app.create_app(...)` (an ASGI app, mounted by Relais under /sandbox) and
`python -m sandbox --port 8090` (run alone). It shares no code with `services/`.
"""
