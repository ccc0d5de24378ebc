"""Identity diffusion: pure generators of interoperability formats (issue 6)."""
