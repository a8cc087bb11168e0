"""Real feed servers for the sync tests: coldsweat (Fever API) and Tiny Tiny RSS."""
