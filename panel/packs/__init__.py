"""PDF packs: the panel pack, per-panelist packs, large print, shortlisting and results packs."""
