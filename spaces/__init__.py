"""Ready-made search spaces (installed as symsearch.spaces)."""
