"""Evaluators and proxy tasks (installed as symsearch.evaluators)."""
