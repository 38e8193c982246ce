"""Sealing above the vault: keys derived per scope, the signed story envelope, listing summaries."""
