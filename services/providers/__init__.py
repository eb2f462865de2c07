"""Aggregator adapters behind one Protocol (base.Aggregator)."""
