"""Client survey exports in, canonical 0–10 feedback out (see ``workshop.cube`` for the canonical columns).

Nothing here imports widgets or plotting libraries.
"""
