"""Webhooks: signing, secrets kept sealed at rest, the SSRF guard and the HTTP transport of deliveries."""
